-- agentcost_prices: the LLM price table (bundled prices plus the user's overrides), USD per million tokens, one row
-- per model. A NULL cache price means the input price applies. Refilled by every `db init`.
-- Parameters: {database:Identifier}. Fragments: on_cluster, engine.
CREATE TABLE IF NOT EXISTS {database:Identifier}.agentcost_prices {{ on_cluster }} (
    model String,
    provider LowCardinality(String),
    input_per_mtok Float64,
    output_per_mtok Float64,
    cache_read_per_mtok Nullable(Float64),
    cache_write_per_mtok Nullable(Float64),
    source String,
    as_of Nullable(Date)
) ENGINE = {{ engine }}
ORDER BY model
