-- The rows of agentcost_session_calls for the LLM call spans of otel_traces (session_calls.sql says what the columns
-- hold; the cost rule is that of llm_calls_in.sql): the query of session_calls_mv.sql (run on every inserted block)
-- and of session_calls_backfill.sql.
-- Columns: those of agentcost_session_calls. No parameters (reads otel_traces of the current database).
WITH
    NOT (agentcost_cost_usd IS NOT NULL AND agentcost_cost_source NOT IN ('price_table', 'unpriced')) AS from_table,
    from_table AND agentcost_cost_source = 'price_table' AND agentcost_cost_usd IS NOT NULL AS fallback
SELECT
    agentcost_session_id AS session_id,
    ServiceName AS service,
    agentcost_agent AS agent,
    agentcost_role AS role,
    if(agentcost_response_model != '', agentcost_response_model, agentcost_request_model) AS model,
    agentcost_trigger = 'heartbeat' AS heartbeat,
    min(Timestamp) AS first_call_at,
    max(Timestamp) AS last_call_at,
    count() AS calls,
    sum(agentcost_input_tokens) AS input_tokens,
    sum(agentcost_output_tokens) AS output_tokens,
    countIf(from_table) AS table_calls,
    sumIf(toUInt64(greatest(
        toInt64(agentcost_input_tokens) - toInt64(agentcost_cache_read_tokens) - toInt64(agentcost_cache_write_tokens),
        0
    )), from_table) AS table_uncached_input_tokens,
    sumIf(agentcost_cache_read_tokens, from_table) AS table_cache_read_tokens,
    sumIf(agentcost_cache_write_tokens, from_table) AS table_cache_write_tokens,
    sumIf(agentcost_output_tokens, from_table) AS table_output_tokens,
    countIf(fallback) AS fallback_calls,
    sumIf(ifNull(agentcost_cost_usd, 0), fallback) AS fallback_usd,
    sumIf(ifNull(agentcost_cost_usd, 0), NOT from_table) AS span_usd,
    groupArrayIf(Timestamp, heartbeat) AS beat_starts
FROM otel_traces
WHERE agentcost_llm_call
GROUP BY session_id, service, agent, role, model, heartbeat
