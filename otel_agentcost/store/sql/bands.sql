-- agentcost_bands(edges = [...]): the output-token bands that edges make, one row per band, in order, so that every
-- report that bands units names and bounds them the same way. A band holds its lower edge and not its upper one: with
-- edges [5000,15000,30000] the bands are `<5k` [0, 5000), `5k-15k` [5000, 15000), `15k-30k` [15000, 30000) and `>30k`
-- [30000, ...). Labels write an edge as `Nm` or `Nk` when it is a round number of millions or hundreds (1500 ->
-- `1.5k`), else in full. A unit of n output tokens is in band arrayCount(edge -> n >= edge, edges).
-- Edges that are not ascending token counts above 0 are an error that says so.
-- Columns: band_index (0 = the lowest band), band (its label), low_tokens, high_tokens (NULL for the top band).
-- Parameters: {database:Identifier} (the view's name); {edges:Array(UInt64)} stays in the view as its own parameter.
-- Fragment: on_cluster.
CREATE OR REPLACE VIEW {database:Identifier}.agentcost_bands {{ on_cluster }} AS
WITH
    {edges:Array(UInt64)} AS band_edges,
    arrayMap(
        edge -> multiIf(
            edge >= 1000000 AND edge % 100000 = 0, concat(toString(edge / 1000000), 'm'),
            edge >= 1000 AND edge % 100 = 0, concat(toString(edge / 1000), 'k'),
            toString(edge)
        ),
        band_edges
    ) AS edge_names
SELECT
    band_index,
    multiIf(
        band_index = 0, concat('<', edge_names[1]),
        band_index = length(band_edges), concat('>', edge_names[band_index]),
        concat(edge_names[band_index], '-', edge_names[band_index + 1])
    ) AS band,
    if(band_index = 0, 0, band_edges[band_index]) AS low_tokens,
    if(band_index = length(band_edges), NULL, band_edges[band_index + 1]) AS high_tokens
FROM (SELECT arrayJoin(range(length(band_edges) + 1)) AS band_index)
WHERE throwIf(
    length(band_edges) = 0 OR band_edges[1] = 0
        OR NOT arrayAll((low, high) -> low < high, arrayPopBack(band_edges), arrayPopFront(band_edges)),
    'band_edges must be ascending token counts above 0, e.g. [5000,15000,30000]'
) = 0
