-- The rows of agentcost_units for LLM call spans of otel_traces, one per work unit (units.sql says what the columns
-- hold): the query of units_calls_mv.sql (run on every inserted block) and of units_calls_backfill.sql. A call is in
-- the unit of its task, else of its session; calls with neither are in no unit. Its cost rule is that of
-- llm_calls_in.sql: agentcost.cost.usd is authoritative unless its source is price_table or unpriced.
-- Columns: those of agentcost_units but outcome. No parameters (reads otel_traces of the current database).
WITH
    CAST('2262-04-11 00:00:00' AS DateTime64(9)) AS never,
    if(agentcost_task_id != '', 'task', 'session') AS kind,
    if(agentcost_task_id != '', agentcost_task_id, agentcost_session_id) AS id,
    toString(if(agentcost_response_model != '', agentcost_response_model, agentcost_request_model)) AS call_model,
    NOT (agentcost_cost_usd IS NOT NULL AND agentcost_cost_source NOT IN ('price_table', 'unpriced')) AS from_table,
    from_table AND agentcost_cost_source = 'price_table' AND agentcost_cost_usd IS NOT NULL AS fallback
SELECT
    kind AS unit_kind,
    id AS unit_id,
    min(Timestamp) AS first_call_at,
    max(Timestamp) AS last_call_at,
    max(Timestamp) AS last_seen_at,
    count() AS calls,
    countIf(agentcost_trigger = 'heartbeat') AS heartbeat_calls,
    sum(agentcost_input_tokens) AS input_tokens,
    sum(agentcost_output_tokens) AS output_tokens,
    sum(agentcost_cache_read_tokens) AS cache_read_tokens,
    sum(agentcost_cache_write_tokens) AS cache_write_tokens,
    sum(agentcost_reasoning_tokens) AS reasoning_tokens,
    sum(agentcost_inherited_tokens) AS inherited_tokens,
    sum(agentcost_foreign_tokens) AS foreign_tokens,
    sumMap((
        [call_model],
        [toUInt64(1)],
        [toUInt64(from_table)],
        [if(from_table, toUInt64(greatest(
            toInt64(agentcost_input_tokens) - toInt64(agentcost_cache_read_tokens)
                - toInt64(agentcost_cache_write_tokens),
            0
        )), 0)],
        [if(from_table, agentcost_cache_read_tokens, 0)],
        [if(from_table, agentcost_cache_write_tokens, 0)],
        [if(from_table, agentcost_output_tokens, 0)],
        [toUInt64(fallback)],
        [if(fallback, ifNull(agentcost_cost_usd, 0), 0)],
        [if(from_table, 0, ifNull(agentcost_cost_usd, 0))]
    )) AS models,
    min((if(agentcost_session_id != '', Timestamp, never), agentcost_session_id)) AS session_id,
    min((if(agentcost_task_kind != '', Timestamp, never), toString(agentcost_task_kind))) AS task_kind,
    min((if(ServiceName != '', Timestamp, never), toString(ServiceName))) AS service,
    min((if(agentcost_role != '', Timestamp, never), toString(agentcost_role))) AS role,
    min((if(agentcost_lane != '', Timestamp, never), toString(agentcost_lane))) AS lane,
    min((if(agentcost_agent != '', Timestamp, never), toString(agentcost_agent))) AS agent
FROM otel_traces
WHERE agentcost_llm_call AND id != ''
GROUP BY unit_kind, unit_id
