-- agentcost_model_prices: the price of every model the LLM calls name (response model, else request model; from
-- agentcost_session_calls, which has a row for every call), found in agentcost_prices as PriceTable.cost finds it: the
-- model exactly (ignoring case), else after removing a vendor prefix ('openai/') and a date suffix (-YYYY-MM-DD or
-- -YYYYMMDD). Cache prices default to the input price. Read by agentcost_llm_calls_in, agentcost_work_units and
-- agentcost_session_groups, so that every view prices a call the same way, and a price change applies to old spans.
-- Columns: model, priced (false: no price row; the price columns are then 0), input_per_mtok, output_per_mtok,
-- cache_read_per_mtok, cache_write_per_mtok (USD per million tokens).
-- Parameters: {database:Identifier} (the view's name only; its body reads tables of the current database).
-- Fragment: on_cluster.
CREATE OR REPLACE VIEW {database:Identifier}.agentcost_model_prices {{ on_cluster }} AS
WITH
    prices AS (
        SELECT
            lower(model) AS price_key,
            any(input_per_mtok) AS input_per_mtok,
            any(output_per_mtok) AS output_per_mtok,
            any(cache_read_per_mtok) AS cache_read_per_mtok,
            any(cache_write_per_mtok) AS cache_write_per_mtok
        FROM agentcost_prices
        GROUP BY price_key
    ),
    models AS (
        SELECT
            model,
            if(
                lower(model) IN (SELECT price_key FROM prices),
                lower(model),
                replaceRegexpOne(
                    replaceRegexpOne(lower(model), '^[^/]+/', ''),
                    '-([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8})$',
                    ''
                )
            ) AS price_key
        FROM (SELECT DISTINCT toString(model) AS model FROM agentcost_session_calls)
    )
SELECT
    models.model AS model,
    toBool(price.price_key != '') AS priced,
    ifNull(price.input_per_mtok, 0) AS input_per_mtok,
    ifNull(price.output_per_mtok, 0) AS output_per_mtok,
    ifNull(price.cache_read_per_mtok, ifNull(price.input_per_mtok, 0)) AS cache_read_per_mtok,
    ifNull(price.cache_write_per_mtok, ifNull(price.input_per_mtok, 0)) AS cache_write_per_mtok
FROM models
LEFT JOIN prices AS price ON price.price_key = models.price_key
