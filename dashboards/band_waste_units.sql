-- Costliest wasted units: the work units whose outcome is noop, blocked, failed or abandoned, costliest first, with
-- their band and the reason recorded with the outcome, for drilling into the band waste table.
--
-- Reads agentcost_selected_units (a unit is a task, or a session for calls that carry no task) and agentcost_bands.
-- Bands as in band_waste.sql: a unit's total output tokens against the edges, a band holding its lower edge
-- (`5k-15k` is [5000, 15000)), the same labels.
--
-- Standard parameters: {from}, {to} (units with a call starting in the window), {service}, {agent} (the unit's agent
-- name or role) and {model} (the unit's model: the one most of its calls used); '*' = all.
-- @param band_edges = [5000,15000,30000] output-token band edges, ascending, above 0
-- @param limit = 20 how many units to list
-- Columns: unit_id, unit_kind ('task' | 'session'), session_id, band, outcome, reason, grade (NULL when none was
-- recorded), output_tokens, cost_usd, role, agent, model, first_call_at.
SELECT
    unit_id,
    unit_kind,
    session_id,
    bands.band AS band,
    outcome,
    reason,
    grade,
    output_tokens,
    cost_usd,
    role,
    agent,
    model,
    first_call_at
FROM agentcost_selected_units(
    from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')},
    service = {service:String}, agent = {agent:String}, model = {model:String}
) AS units
INNER JOIN agentcost_bands(edges = {band_edges:Array(UInt64)}) AS bands
    ON bands.band_index = arrayCount(edge -> units.output_tokens >= edge, {band_edges:Array(UInt64)})
WHERE outcome IN ('noop', 'blocked', 'failed', 'abandoned')
ORDER BY cost_usd DESC, first_call_at, unit_kind, unit_id
LIMIT {limit:UInt32}
