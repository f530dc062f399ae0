-- agentcost_work_units(from = ..., to = ...): one row per work unit active in the time window [from, to).
-- A work unit is a task (calls with agentcost.task.id, keyed by the task id alone), or a session for the calls
-- that carry no task; calls with neither are in no unit. A unit is active in the window when one of its calls
-- starts in it (first_call_at < to AND last_call_at >= from); its totals cover ALL its calls, so that a unit's size
-- (and band) does not depend on where the window cuts it.
--
-- This is a parameterized view: query it as
--   SELECT ... FROM agentcost_work_units(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')})
-- (both arguments required; pass '1970-01-01' and '2200-01-01' for all time).
--
-- Columns: unit_id, unit_kind ('task' | 'session'), session_id, task_id, task_kind, service (ServiceName), role, lane,
-- agent (each the first non-empty value among the unit's calls), model (the one with most calls; ties to the greater name),
-- first_call_at, last_call_at (call start times), calls, input_tokens (including cached input), output_tokens,
-- cache_read_tokens, cache_write_tokens, reasoning_tokens, inherited_tokens, foreign_tokens, cost_usd,
-- unpriced_calls, heartbeat_calls (agentcost.trigger = 'heartbeat'), and the unit's outcome from
-- agentcost_outcomes: outcome, grade, reason, outcome_at (all NULL when none was recorded).
--
-- Parameters: {database:Identifier} (the view's name); {from:DateTime64(9, 'UTC')} and {to:DateTime64(9, 'UTC')}
-- stay in the view as its own parameters. Fragment: on_cluster.
CREATE OR REPLACE VIEW {database:Identifier}.agentcost_work_units {{ on_cluster }} AS
SELECT
    unit.unit_id AS unit_id,
    unit.unit_kind AS unit_kind,
    unit.session_id AS session_id,
    unit.task_id AS task_id,
    unit.task_kind AS task_kind,
    unit.service AS service,
    unit.role AS role,
    unit.lane AS lane,
    unit.agent AS agent,
    unit.model AS model,
    unit.first_call_at AS first_call_at,
    unit.last_call_at AS last_call_at,
    unit.calls AS calls,
    unit.input_tokens AS input_tokens,
    unit.output_tokens AS output_tokens,
    unit.cache_read_tokens AS cache_read_tokens,
    unit.cache_write_tokens AS cache_write_tokens,
    unit.reasoning_tokens AS reasoning_tokens,
    unit.inherited_tokens AS inherited_tokens,
    unit.foreign_tokens AS foreign_tokens,
    unit.cost_usd AS cost_usd,
    unit.unpriced_calls AS unpriced_calls,
    unit.heartbeat_calls AS heartbeat_calls,
    if(ifNull(result.unit_id, '') = '', NULL, result.outcome) AS outcome,
    if(ifNull(result.unit_id, '') = '', NULL, result.grade) AS grade,
    if(ifNull(result.unit_id, '') = '', NULL, result.reason) AS reason,
    if(ifNull(result.unit_id, '') = '', NULL, result.at) AS outcome_at
FROM (
    SELECT
        unit_kind,
        unit_id,
        argMinIf(model_session_id, model_first_call_at, model_session_id != '') AS session_id,
        if(unit_kind = 'task', unit_id, '') AS task_id,
        argMinIf(model_task_kind, model_first_call_at, model_task_kind != '') AS task_kind,
        argMinIf(model_service, model_first_call_at, model_service != '') AS service,
        argMinIf(model_role, model_first_call_at, model_role != '') AS role,
        argMinIf(model_lane, model_first_call_at, model_lane != '') AS lane,
        argMinIf(model_agent, model_first_call_at, model_agent != '') AS agent,
        argMax(model, (model_calls, model)) AS model,
        min(model_first_call_at) AS first_call_at,
        max(model_last_call_at) AS last_call_at,
        sum(model_calls) AS calls,
        sum(model_input_tokens) AS input_tokens,
        sum(model_output_tokens) AS output_tokens,
        sum(model_cache_read_tokens) AS cache_read_tokens,
        sum(model_cache_write_tokens) AS cache_write_tokens,
        sum(model_reasoning_tokens) AS reasoning_tokens,
        sum(model_inherited_tokens) AS inherited_tokens,
        sum(model_foreign_tokens) AS foreign_tokens,
        sum(model_cost_usd) AS cost_usd,
        sum(model_unpriced_calls) AS unpriced_calls,
        sum(model_heartbeat_calls) AS heartbeat_calls
    FROM (
        SELECT
            if(task_id != '', 'task', 'session') AS unit_kind,
            if(task_id != '', task_id, session_id) AS unit_id,
            model,
            argMinIf(session_id, start_time, session_id != '') AS model_session_id,
            argMinIf(task_kind, start_time, task_kind != '') AS model_task_kind,
            argMinIf(ServiceName, start_time, ServiceName != '') AS model_service,
            argMinIf(role, start_time, role != '') AS model_role,
            argMinIf(lane, start_time, lane != '') AS model_lane,
            argMinIf(agent, start_time, agent != '') AS model_agent,
            min(start_time) AS model_first_call_at,
            max(start_time) AS model_last_call_at,
            count() AS model_calls,
            sum(input_tokens) AS model_input_tokens,
            sum(output_tokens) AS model_output_tokens,
            sum(cache_read_tokens) AS model_cache_read_tokens,
            sum(cache_write_tokens) AS model_cache_write_tokens,
            sum(reasoning_tokens) AS model_reasoning_tokens,
            sum(inherited_tokens) AS model_inherited_tokens,
            sum(foreign_tokens) AS model_foreign_tokens,
            sum(cost_usd) AS model_cost_usd,
            countIf(NOT priced) AS model_unpriced_calls,
            countIf(trigger = 'heartbeat') AS model_heartbeat_calls
        FROM agentcost_llm_calls
        WHERE unit_id != ''
        GROUP BY unit_kind, unit_id, model
    )
    GROUP BY unit_kind, unit_id
    HAVING last_call_at >= {from:DateTime64(9, 'UTC')} AND first_call_at < {to:DateTime64(9, 'UTC')}
) AS unit
LEFT JOIN agentcost_outcomes AS result ON result.unit_kind = unit.unit_kind AND result.unit_id = unit.unit_id
