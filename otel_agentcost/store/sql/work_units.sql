-- agentcost_work_units(from = ..., to = ...): one row per work unit active in the time window [from, to).
-- A work unit is a task (calls with agentcost.task.id, keyed by the task id alone), or a session for the calls
-- that carry no task; calls with neither are in no unit. A unit is active in the window when one of its calls
-- starts in it; its totals cover ALL its calls, so that a unit's size
-- (and band) does not depend on where the window cuts it. Each LLM call counts once, as the span that represents it
-- (llm_calls_in.sql), over all time.
--
-- This is a parameterized view: query it as
--   SELECT ... FROM agentcost_work_units(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')})
-- (both arguments required; pass '1970-01-01' and '2200-01-01' for all time).
--
-- Columns: unit_id, unit_kind ('task' | 'session'), session_id, task_id, task_kind, service (ServiceName), role, lane,
-- agent (each the first non-empty value among the unit's calls), model (the one with most calls; ties to the greater
-- name), first_call_at, last_call_at (call start times), calls, input_tokens (including cached input), output_tokens,
-- cache_read_tokens, cache_write_tokens, reasoning_tokens, inherited_tokens, foreign_tokens, cost_usd,
-- unpriced_calls, heartbeat_calls (agentcost.trigger = 'heartbeat'), and the unit's outcome (the latest by end, as in
-- agentcost_outcomes): outcome, grade, reason, outcome_at (all NULL when none was recorded).
--
-- Reads the rollup agentcost_units (one row per unit, kept at insert time), costed with agentcost_price_map.
-- Exactness where the rollup cannot be trusted alone:
-- - agentcost_call_spans names the calls with more than one span where a unit could have counted a span that does not
--   represent its call (two spans in units, or one that another span outranks); the units holding their spans
--   ("dirty") are counted again from otel_traces, each call once, as llm_calls_in.sql chooses its span;
-- - a unit whose first call is before the window and last call after it is active only if one of its calls starts
--   in the window: that is looked up in otel_traces for those units alone.
-- Both lookups read nothing when no unit needs them (each is guarded by a scalar count, which the engine folds into
-- a constant before it plans the read: an IN over an empty set alone would still scan).
--
-- Parameters: {database:Identifier} (the view's name); {from:DateTime64(9, 'UTC')} and {to:DateTime64(9, 'UTC')}
-- stay in the view as its own parameters. Fragment: on_cluster.
CREATE OR REPLACE VIEW {database:Identifier}.agentcost_work_units {{ on_cluster }} AS
WITH
    CAST('2262-04-11 00:00:00' AS DateTime64(9)) AS never,
    (SELECT price_of FROM agentcost_price_map) AS price_of,
    -- Calls whose spans may be counted in a unit they do not represent: more than one span in units, or one span in
    -- a unit that is not the call's only span with agentcost.* attributes.
    unclean AS (
        SELECT call_key
        FROM agentcost_call_spans
        WHERE spans > 1 AND unit_spans > 0
            AND NOT (unit_spans = 1 AND unit_agentcost_spans = 1 AND agentcost_spans = 1)
    ),
    unclean_spans AS (
        SELECT
            Timestamp AS start_time,
            SpanId,
            ServiceName,
            agentcost_call_key AS call_key,
            agentcost_has_agentcost AS has_agentcost,
            if(agentcost_task_id != '', 'task', 'session') AS unit_kind,
            if(agentcost_task_id != '', agentcost_task_id, agentcost_session_id) AS unit_id
        FROM otel_traces
        WHERE (SELECT count() FROM unclean) > 0 AND agentcost_llm_call AND agentcost_call_key IN unclean
    ),
    dirty AS (SELECT DISTINCT unit_kind, unit_id FROM unclean_spans WHERE unit_id != ''),
    -- The calls of the dirty units, each once: the spans of their other calls, and the representing span of each
    -- unclean call that is in one of them.
    dirty_calls AS (
        SELECT
            if(agentcost_task_id != '', 'task', 'session') AS unit_kind,
            if(agentcost_task_id != '', agentcost_task_id, agentcost_session_id) AS unit_id,
            Timestamp AS start_time,
            SpanId,
            ServiceName,
            agentcost_session_id AS session_id,
            toString(agentcost_task_kind) AS task_kind,
            toString(agentcost_role) AS role,
            toString(agentcost_lane) AS lane,
            toString(agentcost_agent) AS agent,
            toString(if(agentcost_response_model != '', agentcost_response_model, agentcost_request_model)) AS model,
            agentcost_trigger = 'heartbeat' AS heartbeat,
            agentcost_input_tokens AS input_tokens,
            agentcost_output_tokens AS output_tokens,
            agentcost_cache_read_tokens AS cache_read_tokens,
            agentcost_cache_write_tokens AS cache_write_tokens,
            agentcost_reasoning_tokens AS reasoning_tokens,
            agentcost_inherited_tokens AS inherited_tokens,
            agentcost_foreign_tokens AS foreign_tokens,
            agentcost_cost_usd AS span_cost,
            agentcost_cost_source AS span_cost_source
        FROM otel_traces
        WHERE (SELECT count() FROM dirty) > 0 AND agentcost_llm_call
            AND (unit_kind, unit_id) IN dirty
            AND (
                agentcost_call_key NOT IN unclean
                OR (agentcost_call_key, SpanId) IN (
                    SELECT call_key, SpanId
                    FROM unclean_spans
                    ORDER BY call_key, has_agentcost DESC, SpanId
                    LIMIT 1 BY call_key
                )
            )
        -- a representing span stored twice
        LIMIT 1 BY unit_kind, unit_id, SpanId, agentcost_call_key
    ),
    units AS (
        SELECT
            unit_kind, unit_id, first_call_at, last_call_at, calls, heartbeat_calls, input_tokens, output_tokens,
            cache_read_tokens, cache_write_tokens, reasoning_tokens, inherited_tokens, foreign_tokens,
            models AS model_totals, session_id AS first_session, task_kind AS first_task_kind, service AS first_service,
            role AS first_role, lane AS first_lane, agent AS first_agent, outcome AS latest_outcome
        FROM agentcost_units FINAL
        WHERE calls > 0 AND ((SELECT count() FROM dirty) = 0 OR (unit_kind, unit_id) NOT IN dirty)
        UNION ALL
        SELECT
            counted.unit_kind AS unit_kind,
            counted.unit_id AS unit_id,
            counted.total_first_call_at AS first_call_at,
            counted.total_last_call_at AS last_call_at,
            counted.total_calls AS calls,
            counted.total_heartbeat_calls AS heartbeat_calls,
            counted.total_input_tokens AS input_tokens,
            counted.total_output_tokens AS output_tokens,
            counted.total_cache_read_tokens AS cache_read_tokens,
            counted.total_cache_write_tokens AS cache_write_tokens,
            counted.total_reasoning_tokens AS reasoning_tokens,
            counted.total_inherited_tokens AS inherited_tokens,
            counted.total_foreign_tokens AS foreign_tokens,
            counted.model_totals AS model_totals,
            counted.first_session AS first_session,
            counted.first_task_kind AS first_task_kind,
            counted.first_service AS first_service,
            counted.first_role AS first_role,
            counted.first_lane AS first_lane,
            counted.first_agent AS first_agent,
            rolled.outcome AS latest_outcome
        FROM (
            SELECT
                unit_kind,
                unit_id,
                min(start_time) AS total_first_call_at,
                max(start_time) AS total_last_call_at,
                count() AS total_calls,
                countIf(heartbeat) AS total_heartbeat_calls,
                sum(input_tokens) AS total_input_tokens,
                sum(output_tokens) AS total_output_tokens,
                sum(cache_read_tokens) AS total_cache_read_tokens,
                sum(cache_write_tokens) AS total_cache_write_tokens,
                sum(reasoning_tokens) AS total_reasoning_tokens,
                sum(inherited_tokens) AS total_inherited_tokens,
                sum(foreign_tokens) AS total_foreign_tokens,
                sumMap((
                    [model],
                    [toUInt64(1)],
                    [toUInt64(from_table)],
                    [if(from_table, toUInt64(greatest(
                        toInt64(input_tokens) - toInt64(cache_read_tokens) - toInt64(cache_write_tokens), 0
                    )), 0)],
                    [if(from_table, cache_read_tokens, 0)],
                    [if(from_table, cache_write_tokens, 0)],
                    [if(from_table, output_tokens, 0)],
                    [toUInt64(fallback)],
                    [if(fallback, ifNull(span_cost, 0), 0)],
                    [if(from_table, 0, ifNull(span_cost, 0))]
                )) AS model_totals,
                min((if(session_id != '', start_time, never), session_id)) AS first_session,
                min((if(task_kind != '', start_time, never), task_kind)) AS first_task_kind,
                min((if(ServiceName != '', start_time, never), toString(ServiceName))) AS first_service,
                min((if(role != '', start_time, never), role)) AS first_role,
                min((if(lane != '', start_time, never), lane)) AS first_lane,
                min((if(agent != '', start_time, never), agent)) AS first_agent
            FROM (
                SELECT
                    *,
                    NOT (span_cost IS NOT NULL AND span_cost_source NOT IN ('price_table', 'unpriced')) AS from_table,
                    from_table AND span_cost_source = 'price_table' AND span_cost IS NOT NULL AS fallback
                FROM dirty_calls
            )
            GROUP BY unit_kind, unit_id
        ) AS counted
        LEFT JOIN (
            SELECT unit_kind, unit_id, outcome FROM agentcost_units FINAL WHERE (unit_kind, unit_id) IN dirty
        ) AS rolled ON rolled.unit_kind = counted.unit_kind AND rolled.unit_id = counted.unit_id
    ),
    -- Units whose calls began before the window and went on after it, that made a call in it.
    spanning AS (
        SELECT unit_kind, unit_id
        FROM agentcost_units FINAL
        WHERE calls > 0 AND first_call_at < {from:DateTime64(9, 'UTC')} AND last_call_at >= {to:DateTime64(9, 'UTC')}
    ),
    spanning_active AS (
        SELECT DISTINCT
            if(agentcost_task_id != '', 'task', 'session') AS unit_kind,
            if(agentcost_task_id != '', agentcost_task_id, agentcost_session_id) AS unit_id
        FROM otel_traces
        WHERE (SELECT count() FROM spanning) > 0
            AND Timestamp >= {from:DateTime64(9, 'UTC')} AND Timestamp < {to:DateTime64(9, 'UTC')} AND agentcost_llm_call
            AND (unit_kind, unit_id) IN spanning AND (unit_kind, unit_id) NOT IN dirty
        UNION ALL
        SELECT DISTINCT unit_kind, unit_id
        FROM dirty_calls
        WHERE start_time >= {from:DateTime64(9, 'UTC')} AND start_time < {to:DateTime64(9, 'UTC')}
    )
SELECT
    unit_id,
    unit_kind,
    first_session.2 AS session_id,
    if(unit_kind = 'task', unit_id, '') AS task_id,
    first_task_kind.2 AS task_kind,
    first_service.2 AS service,
    first_role.2 AS role,
    first_lane.2 AS lane,
    first_agent.2 AS agent,
    arrayReverseSort((name, n) -> (n, name), model_totals.1, model_totals.2)[1] AS model,
    first_call_at,
    last_call_at,
    calls,
    input_tokens,
    output_tokens,
    cache_read_tokens,
    cache_write_tokens,
    reasoning_tokens,
    inherited_tokens,
    foreign_tokens,
    toFloat64(arraySum(arrayMap(
        (name, uncached, cache_read, cache_write, output, fallback_usd, span_usd) -> span_usd + if(
            (price_of[name] AS price).1 = 1,
            (uncached * price.2 + cache_read * price.4 + cache_write * price.5 + output * price.3) / 1000000,
            fallback_usd
        ),
        model_totals.1, model_totals.4, model_totals.5, model_totals.6, model_totals.7, model_totals.9,
        model_totals.10
    ))) AS cost_usd,
    toUInt64(arraySum(arrayMap(
        (name, table_calls, fallback_calls) -> if(price_of[name].1 = 1, 0, table_calls - fallback_calls),
        model_totals.1, model_totals.3, model_totals.8
    ))) AS unpriced_calls,
    heartbeat_calls,
    if(latest_outcome.1 = toDateTime64(0, 9), NULL, latest_outcome.3) AS outcome,
    if(latest_outcome.1 = toDateTime64(0, 9), NULL, latest_outcome.4) AS grade,
    if(latest_outcome.1 = toDateTime64(0, 9), NULL, latest_outcome.5) AS reason,
    if(latest_outcome.1 = toDateTime64(0, 9), NULL, latest_outcome.1) AS outcome_at
FROM units
WHERE first_call_at < {to:DateTime64(9, 'UTC')} AND last_call_at >= {from:DateTime64(9, 'UTC')}
    AND (
        first_call_at >= {from:DateTime64(9, 'UTC')}
        OR last_call_at < {to:DateTime64(9, 'UTC')}
        OR ((SELECT count() FROM spanning_active) > 0 AND (unit_kind, unit_id) IN spanning_active)
    )
