-- Band waste: work units by output-token band (how many, how good, how many bailed, what bailing cost), in order.
--
-- Reads agentcost_selected_units (a unit is a task, or a session for calls that carry no task) and agentcost_bands
-- (the bands, their labels and the check of the edges). A unit's band is its total output tokens over ALL its calls
-- against the edges: a band holds its lower edge and not its upper one, so with
-- edges [5000,15000,30000] the bands are `<5k` [0, 5000), `5k-15k` [5000, 15000), `15k-30k` [15000, 30000) and
-- `>30k` [30000, ...): a unit of exactly 5000 output tokens is in `5k-15k`, one of exactly 30000 in `>30k`. Labels
-- write an edge as `Nm` or `Nk` when it is a round number of millions or hundreds (1500 -> `1.5k`), else in full.
-- Every band has a row, empty ones included; a window without any unit gives no rows.
--
-- Standard parameters: {from}, {to} (units with a call starting in the window), {service}, {agent} (the unit's agent
-- name or role) and {model} (the unit's model: the one most of its calls used); '*' = all.
-- @param band_edges = [5000,15000,30000] output-token band edges, ascending, above 0
-- Columns: band, units, avg_grade (over the units with a grade; NULL when none has one), noop_blocked (units whose
-- outcome is noop or blocked), wasted_units (outcome noop, blocked, failed or abandoned), output_tokens, cost_usd,
-- wasted_cost_usd (the cost of the wasted units).
SELECT
    bands.band AS band,
    units,
    avg_grade,
    noop_blocked,
    wasted_units,
    output_tokens,
    cost_usd,
    wasted_cost_usd
FROM agentcost_bands(edges = {band_edges:Array(UInt64)}) AS bands
LEFT JOIN (
    SELECT
        band_index,
        count() AS units,
        avg(grade) AS avg_grade,
        countIf(outcome IN ('noop', 'blocked')) AS noop_blocked,
        countIf(wasted) AS wasted_units,
        sum(unit_output_tokens) AS output_tokens,
        sum(unit_cost_usd) AS cost_usd,
        sumIf(unit_cost_usd, wasted) AS wasted_cost_usd
    FROM (
        SELECT
            arrayCount(edge -> output_tokens >= edge, {band_edges:Array(UInt64)}) AS band_index,
            grade,
            ifNull(outcome, '') AS outcome,
            outcome IN ('noop', 'blocked', 'failed', 'abandoned') AS wasted,
            output_tokens AS unit_output_tokens,
            cost_usd AS unit_cost_usd
        FROM agentcost_selected_units(
            from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')},
            service = {service:String}, agent = {agent:String}, model = {model:String}
        )
    )
    GROUP BY band_index
) AS stats ON stats.band_index = bands.band_index
QUALIFY sum(units) OVER () > 0
ORDER BY bands.band_index
