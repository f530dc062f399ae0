-- agentcost_price_map: agentcost_model_prices as one Map, model -> (priced, input, output, cache read, cache write USD
-- per million tokens), for the views that price rollup rows (agentcost_work_units, agentcost_session_groups): read
-- as the scalar `(SELECT price_of FROM agentcost_price_map)`, it is computed once per query and looked up per row.
-- Columns: price_of. Parameters: {database:Identifier} (the view's name only; its body reads the current database).
-- Fragment: on_cluster.
CREATE OR REPLACE VIEW {database:Identifier}.agentcost_price_map {{ on_cluster }} AS
SELECT CAST(
    (
        groupArray(model),
        groupArray((toUInt8(priced), input_per_mtok, output_per_mtok, cache_read_per_mtok, cache_write_per_mtok))
    ),
    'Map(String, Tuple(UInt8, Float64, Float64, Float64, Float64))'
) AS price_of
FROM agentcost_model_prices
