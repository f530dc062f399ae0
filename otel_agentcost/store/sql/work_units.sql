-- agentcost_work_units(from = ..., to = ...): one row per work unit active in the time window [from, to).
-- A work unit is a task (calls with agentcost.task.id, keyed by the task id alone), or a session for the calls
-- that carry no task; calls with neither are in no unit. A unit is active in the window when one of its calls
-- starts in it; its totals cover ALL its calls, so that a unit's size
-- (and band) does not depend on where the window cuts it.
--
-- This is a parameterized view: query it as
--   SELECT ... FROM agentcost_work_units(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')})
-- (both arguments required; pass '1970-01-01' and '2200-01-01' for all time).
--
-- Columns: unit_id, unit_kind ('task' | 'session'), session_id, task_id, task_kind, service (ServiceName), role, lane,
-- agent (each the first non-empty value among the unit's calls), model (the one with most calls; ties to the greater
-- name), first_call_at, last_call_at (call start times), calls, input_tokens (including cached input), output_tokens,
-- cache_read_tokens, cache_write_tokens, reasoning_tokens, inherited_tokens, foreign_tokens, cost_usd,
-- unpriced_calls, heartbeat_calls (agentcost.trigger = 'heartbeat'), and the unit's outcome from
-- agentcost_outcomes: outcome, grade, reason, outcome_at (all NULL when none was recorded).
--
-- Reads agentcost_llm_calls_in for the window and, only when otel_traces holds spans outside it, for the calls before
-- and after it of the units active in it; outcomes from agentcost_outcomes.
--
-- Parameters: {database:Identifier} (the view's name); {from:DateTime64(9, 'UTC')} and {to:DateTime64(9, 'UTC')}
-- stay in the view as its own parameters. Fragment: on_cluster.
CREATE OR REPLACE VIEW {database:Identifier}.agentcost_work_units {{ on_cluster }} AS
WITH
    (
        SELECT count() > 0
        FROM otel_traces
        WHERE Timestamp < {from:DateTime64(9, 'UTC')} OR Timestamp >= {to:DateTime64(9, 'UTC')}
    ) AS history_outside,
    window_calls AS (
        SELECT
            if(task_id != '', 'task', 'session') AS unit_kind,
            if(task_id != '', task_id, session_id) AS unit_id,
            *
        FROM agentcost_llm_calls_in(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')})
    ),
    active AS (SELECT unit_kind, unit_id FROM window_calls WHERE history_outside),
    calls AS (
        SELECT * FROM window_calls
        UNION ALL
        SELECT if(task_id != '', 'task', 'session') AS unit_kind, if(task_id != '', task_id, session_id) AS unit_id, *
        FROM agentcost_llm_calls_in(from = '1970-01-01 00:00:00', to = {from:DateTime64(9, 'UTC')})
        WHERE history_outside AND (unit_kind, unit_id) IN active
        UNION ALL
        SELECT if(task_id != '', 'task', 'session') AS unit_kind, if(task_id != '', task_id, session_id) AS unit_id, *
        FROM agentcost_llm_calls_in(from = {to:DateTime64(9, 'UTC')}, to = '2262-04-11 00:00:00')
        WHERE history_outside AND (unit_kind, unit_id) IN active
    )
SELECT
    unit.unit_id AS unit_id,
    unit.unit_kind AS unit_kind,
    unit.unit_session_id AS session_id,
    unit.unit_task_id AS task_id,
    unit.unit_task_kind AS task_kind,
    unit.unit_service AS service,
    unit.unit_role AS role,
    unit.unit_lane AS lane,
    unit.unit_agent AS agent,
    unit.unit_model AS model,
    unit.unit_first_call_at AS first_call_at,
    unit.unit_last_call_at AS last_call_at,
    unit.unit_calls AS calls,
    unit.unit_input_tokens AS input_tokens,
    unit.unit_output_tokens AS output_tokens,
    unit.unit_cache_read_tokens AS cache_read_tokens,
    unit.unit_cache_write_tokens AS cache_write_tokens,
    unit.unit_reasoning_tokens AS reasoning_tokens,
    unit.unit_inherited_tokens AS inherited_tokens,
    unit.unit_foreign_tokens AS foreign_tokens,
    unit.unit_cost_usd AS cost_usd,
    unit.unit_unpriced_calls AS unpriced_calls,
    unit.unit_heartbeat_calls AS heartbeat_calls,
    if(ifNull(result.unit_id, '') = '', NULL, result.outcome) AS outcome,
    if(ifNull(result.unit_id, '') = '', NULL, result.grade) AS grade,
    if(ifNull(result.unit_id, '') = '', NULL, result.reason) AS reason,
    if(ifNull(result.unit_id, '') = '', NULL, result.at) AS outcome_at
FROM (
    SELECT
        unit_kind,
        unit_id,
        argMinIf(session_id, start_time, session_id != '') AS unit_session_id,
        if(unit_kind = 'task', unit_id, '') AS unit_task_id,
        argMinIf(task_kind, start_time, task_kind != '') AS unit_task_kind,
        argMinIf(ServiceName, start_time, ServiceName != '') AS unit_service,
        argMinIf(role, start_time, role != '') AS unit_role,
        argMinIf(lane, start_time, lane != '') AS unit_lane,
        argMinIf(agent, start_time, agent != '') AS unit_agent,
        arrayReverseSort((name, n) -> (n, name), mapKeys(unit_model_calls), mapValues(unit_model_calls))[1]
            AS unit_model,
        sumMap(map(model, toUInt64(1))) AS unit_model_calls,
        min(start_time) AS unit_first_call_at,
        max(start_time) AS unit_last_call_at,
        count() AS unit_calls,
        sum(input_tokens) AS unit_input_tokens,
        sum(output_tokens) AS unit_output_tokens,
        sum(cache_read_tokens) AS unit_cache_read_tokens,
        sum(cache_write_tokens) AS unit_cache_write_tokens,
        sum(reasoning_tokens) AS unit_reasoning_tokens,
        sum(inherited_tokens) AS unit_inherited_tokens,
        sum(foreign_tokens) AS unit_foreign_tokens,
        sum(cost_usd) AS unit_cost_usd,
        countIf(NOT priced) AS unit_unpriced_calls,
        countIf(trigger = 'heartbeat') AS unit_heartbeat_calls
    FROM calls
    WHERE unit_id != ''
    GROUP BY unit_kind, unit_id
) AS unit
LEFT JOIN agentcost_outcomes AS result ON result.unit_kind = unit.unit_kind AND result.unit_id = unit.unit_id
