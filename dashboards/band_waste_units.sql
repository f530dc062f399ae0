-- Costliest wasted units: the work units whose outcome is noop, blocked, failed or abandoned, costliest first, with
-- their band and the reason recorded with the outcome, for drilling into the band waste table.
--
-- Reads agentcost_work_units (a unit is a task, or a session for calls that carry no task). Bands as in
-- band_waste.sql: a unit's total output tokens against the edges, a band holding its lower edge (`5k-15k` is
-- [5000, 15000)), the same labels.
--
-- Standard parameters: {from}, {to} (units with a call starting in the window), {service}, {agent} (the unit's agent
-- name or role) and {model} (the unit's model: the one most of its calls used); '*' = all.
-- @param band_edges = [5000,15000,30000] output-token band edges, ascending, above 0
-- @param limit = 20 how many units to list
-- Columns: unit_id, unit_kind ('task' | 'session'), session_id, band, outcome, reason, grade (NULL when none was
-- recorded), output_tokens, cost_usd, role, agent, model, first_call_at.
WITH
    {band_edges:Array(UInt64)} AS edges,
    arrayMap(
        edge -> multiIf(
            edge >= 1000000 AND edge % 100000 = 0, concat(toString(edge / 1000000), 'm'),
            edge >= 1000 AND edge % 100 = 0, concat(toString(edge / 1000), 'k'),
            toString(edge)
        ),
        edges
    ) AS edge_names,
    arrayMap(
        band_index -> multiIf(
            band_index = 0, concat('<', edge_names[1]),
            band_index = length(edges), concat('>', edge_names[band_index]),
            concat(edge_names[band_index], '-', edge_names[band_index + 1])
        ),
        range(length(edges) + 1)
    ) AS band_names
SELECT
    unit_id,
    unit_kind,
    session_id,
    band_names[arrayCount(edge -> output_tokens >= edge, edges) + 1] AS band,
    outcome,
    reason,
    grade,
    output_tokens,
    cost_usd,
    role,
    agent,
    model,
    first_call_at
FROM agentcost_work_units(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')})
WHERE outcome IN ('noop', 'blocked', 'failed', 'abandoned')
    AND throwIf(
        length(edges) = 0 OR edges[1] = 0
            OR NOT arrayAll((low, high) -> low < high, arrayPopBack(edges), arrayPopFront(edges)),
        'band_edges must be ascending token counts above 0, e.g. [5000,15000,30000]'
    ) = 0
    AND ({service:String} = '*' OR service = {service:String})
    AND ({agent:String} = '*' OR agent = {agent:String} OR role = {agent:String})
    AND ({model:String} = '*' OR model = {model:String})
ORDER BY cost_usd DESC, first_call_at, unit_kind, unit_id
LIMIT {limit:UInt32}
