-- agentcost_llm_calls_in(from = ..., to = ...): one row per LLM call that started in the time window [from, to), with
-- typed columns, from the spans of any instrumentation. The window is applied first, on otel_traces' Timestamp (its
-- day partitions are skipped), so a report reads only its window's spans, and only their typed columns: the
-- materialized agentcost_* columns of otel_traces_columns.sql, where the attribute variants are resolved.
--
-- An LLM call is a span with agentcost_llm_call (a token count; not an agent, workflow or tool operation).
-- A call seen by two instrumentations (e.g. this project's span and the Anthropic SDK's own) is counted once:
-- spans of one trace with the same gen_ai.response.id are one call (agentcost_call_key), represented by the span
-- carrying agentcost.* attributes (then the smallest SpanId); spans without a response id are deduplicated by SpanId
-- only (a span stored twice). Which keys have more than one span is read from agentcost_call_keys (a ledger kept at
-- insert time) rather than found by grouping the window's spans; only the spans of those keys are sorted to choose,
-- among the window's spans, so the two halves of a call cut by a window's edge are the only ones that could count in
-- both windows.
--
-- Cost: agentcost.cost.usd is authoritative unless agentcost.cost.source is 'price_table' or 'unpriced' (computed
-- by the instrumentation from its bundled table). Then, and when a span has no cost, the cost is recomputed from
-- agentcost_prices exactly as PriceTable.cost does: uncached input = input - cache reads - cache writes, a NULL
-- cache price is the input price. The model (response model, else request model) is priced by
-- agentcost_model_prices (exactly, ignoring case, else without a vendor prefix and a date suffix).
-- With no price row, a 'price_table' cost from the span is kept; otherwise the call costs 0 and priced = false.
-- cost_source says which rule applied: 'span', 'agentcost_prices' or 'unpriced'.
--
-- Columns: start_time, end_time, TraceId, SpanId, ServiceName, session_id, task_id, task_kind, trigger, lane, role,
-- agent, provider, operation, request_model, response_model, model, response_id, input_tokens (including cached
-- input), output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, inherited_tokens, foreign_tokens,
-- usage_estimated, is_error, cost_source, cost_usd, priced.
--
-- Parameters: {database:Identifier} (the view's name only; its body reads tables of the current database);
-- {from:DateTime64(9, 'UTC')} and {to:DateTime64(9, 'UTC')} stay in the view as its own parameters.
-- Fragment: on_cluster.
CREATE OR REPLACE VIEW {database:Identifier}.agentcost_llm_calls_in {{ on_cluster }} AS
WITH
    spans AS (
        SELECT
            Timestamp AS start_time,
            addNanoseconds(Timestamp, Duration) AS end_time,
            TraceId,
            SpanId,
            ServiceName,
            agentcost_session_id AS session_id,
            agentcost_task_id AS task_id,
            agentcost_task_kind AS task_kind,
            agentcost_trigger AS trigger,
            agentcost_lane AS lane,
            agentcost_role AS role,
            agentcost_agent AS agent,
            agentcost_provider AS provider,
            agentcost_operation AS operation,
            agentcost_request_model AS request_model,
            agentcost_response_model AS response_model,
            if(response_model != '', response_model, request_model) AS model,
            agentcost_response_id AS response_id,
            agentcost_input_tokens AS input_tokens,
            agentcost_output_tokens AS output_tokens,
            agentcost_cache_read_tokens AS cache_read_tokens,
            agentcost_cache_write_tokens AS cache_write_tokens,
            agentcost_reasoning_tokens AS reasoning_tokens,
            agentcost_inherited_tokens AS inherited_tokens,
            agentcost_foreign_tokens AS foreign_tokens,
            agentcost_usage_estimated AS usage_estimated,
            agentcost_is_error AS is_error,
            agentcost_cost_usd AS span_cost,
            agentcost_cost_source AS span_cost_source,
            agentcost_call_key AS call_key,
            agentcost_has_agentcost AS has_agentcost
        FROM otel_traces
        WHERE Timestamp >= {from:DateTime64(9, 'UTC')} AND Timestamp < {to:DateTime64(9, 'UTC')} AND agentcost_llm_call
    ),
    -- The keys with more than one span (on the window's days; a day either side for the server's time zone).
    repeated AS (
        SELECT call_key
        FROM agentcost_call_keys FINAL
        WHERE day >= toDate32({from:DateTime64(9, 'UTC')}) - 1 AND day <= toDate32({to:DateTime64(9, 'UTC')}) + 1
            AND bitAnd(counts, 2097151) > 1
    )
SELECT
    call.start_time AS start_time,
    call.end_time AS end_time,
    call.TraceId AS TraceId,
    call.SpanId AS SpanId,
    call.ServiceName AS ServiceName,
    call.session_id AS session_id,
    call.task_id AS task_id,
    call.task_kind AS task_kind,
    call.trigger AS trigger,
    call.lane AS lane,
    call.role AS role,
    call.agent AS agent,
    call.provider AS provider,
    call.operation AS operation,
    call.request_model AS request_model,
    call.response_model AS response_model,
    call.model AS model,
    call.response_id AS response_id,
    call.input_tokens AS input_tokens,
    call.output_tokens AS output_tokens,
    call.cache_read_tokens AS cache_read_tokens,
    call.cache_write_tokens AS cache_write_tokens,
    call.reasoning_tokens AS reasoning_tokens,
    call.inherited_tokens AS inherited_tokens,
    call.foreign_tokens AS foreign_tokens,
    call.usage_estimated AS usage_estimated,
    call.is_error AS is_error,
    multiIf(
        call.span_cost IS NOT NULL AND call.span_cost_source NOT IN ('price_table', 'unpriced'), 'span',
        ifNull(price.priced, false), 'agentcost_prices',
        call.span_cost_source = 'price_table' AND call.span_cost IS NOT NULL, 'span',
        'unpriced'
    ) AS cost_source,
    toFloat64(multiIf(
        cost_source = 'span', ifNull(call.span_cost, 0),
        cost_source = 'agentcost_prices', (
            greatest(toInt64(call.input_tokens) - toInt64(call.cache_read_tokens) - toInt64(call.cache_write_tokens), 0)
                * price.input_per_mtok
            + call.cache_read_tokens * price.cache_read_per_mtok
            + call.cache_write_tokens * price.cache_write_per_mtok
            + call.output_tokens * price.output_per_mtok
        ) / 1000000,
        0
    )) AS cost_usd,
    toBool(cost_source != 'unpriced') AS priced
FROM (
    SELECT * FROM spans WHERE call_key NOT IN repeated
    UNION ALL
    SELECT * FROM (
        SELECT * FROM spans WHERE call_key IN repeated ORDER BY call_key, has_agentcost DESC, SpanId LIMIT 1 BY call_key
    )
) AS call
LEFT JOIN agentcost_model_prices AS price ON price.model = call.model
