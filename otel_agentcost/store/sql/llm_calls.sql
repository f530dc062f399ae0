-- agentcost_llm_calls: one row per LLM call, with typed columns, from the spans of any instrumentation.
--
-- An LLM call is a span with an input or output token count (gen_ai.usage.input_tokens / prompt_tokens /
-- output_tokens / completion_tokens) whose gen_ai.operation.name is not an agent, workflow or tool operation.
-- Attribute variants of other instrumentations are read too: session from agentcost.session.id, else
-- gen_ai.conversation.id, else session.id; provider from gen_ai.provider.name, else gen_ai.system; input tokens
-- (which INCLUDE cached input) from input_tokens, else prompt_tokens; output from output_tokens, else
-- completion_tokens; cache writes from cache_creation.input_tokens, else cache_write.input_tokens.
--
-- A call seen by two instrumentations (e.g. this project's span and the Anthropic SDK's own) is counted once:
-- spans of one trace with the same gen_ai.response.id are one call, represented by the span carrying agentcost.*
-- attributes (then the smallest SpanId). Spans without a response id are deduplicated by SpanId only.
--
-- Cost: agentcost.cost.usd is authoritative unless agentcost.cost.source is 'price_table' or 'unpriced' (computed
-- by the instrumentation from its bundled table). Then, and when a span has no cost, the cost is recomputed from
-- agentcost_prices exactly as PriceTable.cost does: uncached input = input - cache reads - cache writes, a NULL
-- cache price is the input price. The model (response model, else request model) matches a price row exactly
-- (ignoring case), else after removing a vendor prefix ('openai/') and a date suffix (-YYYY-MM-DD or -YYYYMMDD).
-- With no price row, a 'price_table' cost from the span is kept; otherwise the call costs 0 and priced = false.
-- cost_source says which rule applied: 'span', 'agentcost_prices' or 'unpriced'.
--
-- Parameters: {database:Identifier} (the view's name only; its body reads tables of the current database).
-- Fragment: on_cluster.
CREATE OR REPLACE VIEW {database:Identifier}.agentcost_llm_calls {{ on_cluster }} AS
WITH prices AS (
    SELECT
        lower(model) AS price_key,
        any(input_per_mtok) AS input_per_mtok,
        any(output_per_mtok) AS output_per_mtok,
        any(cache_read_per_mtok) AS cache_read_per_mtok,
        any(cache_write_per_mtok) AS cache_write_per_mtok,
        1 AS found
    FROM agentcost_prices
    GROUP BY price_key
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
        call.span_cost_authoritative, 'span',
        ifNull(price.found, 0) = 1, 'agentcost_prices',
        call.span_cost_source = 'price_table' AND call.span_cost IS NOT NULL, 'span',
        'unpriced'
    ) AS cost_source,
    toFloat64(multiIf(
        cost_source = 'span', ifNull(call.span_cost, 0),
        cost_source = 'agentcost_prices', (
            greatest(toInt64(call.input_tokens) - toInt64(call.cache_read_tokens) - toInt64(call.cache_write_tokens), 0)
                * price.input_per_mtok
            + call.cache_read_tokens * ifNull(price.cache_read_per_mtok, price.input_per_mtok)
            + call.cache_write_tokens * ifNull(price.cache_write_per_mtok, price.input_per_mtok)
            + call.output_tokens * price.output_per_mtok
        ) / 1000000,
        0
    )) AS cost_usd,
    toBool(cost_source != 'unpriced') AS priced
FROM (
    SELECT
        Timestamp AS start_time,
        addNanoseconds(Timestamp, Duration) AS end_time,
        TraceId,
        SpanId,
        ServiceName,
        multiIf(
            SpanAttributes['agentcost.session.id'] != '', SpanAttributes['agentcost.session.id'],
            SpanAttributes['gen_ai.conversation.id'] != '', SpanAttributes['gen_ai.conversation.id'],
            SpanAttributes['session.id']
        ) AS session_id,
        SpanAttributes['agentcost.task.id'] AS task_id,
        SpanAttributes['agentcost.task.kind'] AS task_kind,
        SpanAttributes['agentcost.trigger'] AS trigger,
        SpanAttributes['agentcost.lane'] AS lane,
        SpanAttributes['agentcost.agent.role'] AS role,
        SpanAttributes['gen_ai.agent.name'] AS agent,
        if(
            SpanAttributes['gen_ai.provider.name'] != '',
            SpanAttributes['gen_ai.provider.name'],
            SpanAttributes['gen_ai.system']
        ) AS provider,
        SpanAttributes['gen_ai.operation.name'] AS operation,
        SpanAttributes['gen_ai.request.model'] AS request_model,
        SpanAttributes['gen_ai.response.model'] AS response_model,
        if(response_model != '', response_model, request_model) AS model,
        SpanAttributes['gen_ai.response.id'] AS response_id,
        toUInt64OrZero(if(
            SpanAttributes['gen_ai.usage.input_tokens'] != '',
            SpanAttributes['gen_ai.usage.input_tokens'],
            SpanAttributes['gen_ai.usage.prompt_tokens']
        )) AS input_tokens,
        toUInt64OrZero(if(
            SpanAttributes['gen_ai.usage.output_tokens'] != '',
            SpanAttributes['gen_ai.usage.output_tokens'],
            SpanAttributes['gen_ai.usage.completion_tokens']
        )) AS output_tokens,
        toUInt64OrZero(SpanAttributes['gen_ai.usage.cache_read.input_tokens']) AS cache_read_tokens,
        toUInt64OrZero(if(
            SpanAttributes['gen_ai.usage.cache_creation.input_tokens'] != '',
            SpanAttributes['gen_ai.usage.cache_creation.input_tokens'],
            SpanAttributes['gen_ai.usage.cache_write.input_tokens']
        )) AS cache_write_tokens,
        toUInt64OrZero(SpanAttributes['gen_ai.usage.reasoning.output_tokens']) AS reasoning_tokens,
        toUInt64OrZero(SpanAttributes['agentcost.context.inherited_tokens']) AS inherited_tokens,
        toUInt64OrZero(SpanAttributes['agentcost.context.foreign_tokens']) AS foreign_tokens,
        toBool(SpanAttributes['agentcost.usage.estimated'] = 'true') AS usage_estimated,
        toBool(StatusCode IN ('Error', 'STATUS_CODE_ERROR') OR SpanAttributes['error.type'] != '') AS is_error,
        toFloat64OrNull(SpanAttributes['agentcost.cost.usd']) AS span_cost,
        SpanAttributes['agentcost.cost.source'] AS span_cost_source,
        span_cost IS NOT NULL AND span_cost_source NOT IN ('price_table', 'unpriced') AS span_cost_authoritative,
        if(
            lower(model) IN (SELECT price_key FROM prices),
            lower(model),
            replaceRegexpOne(
                replaceRegexpOne(lower(model), '^[^/]+/', ''),
                '-([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8})$',
                ''
            )
        ) AS price_key,
        if(response_id != '', concat('response:', response_id), concat('span:', SpanId)) AS call_key,
        arrayExists(key -> startsWith(key, 'agentcost.'), mapKeys(SpanAttributes)) AS has_agentcost
    FROM otel_traces
    WHERE (
            mapContains(SpanAttributes, 'gen_ai.usage.input_tokens')
            OR mapContains(SpanAttributes, 'gen_ai.usage.output_tokens')
            OR mapContains(SpanAttributes, 'gen_ai.usage.prompt_tokens')
            OR mapContains(SpanAttributes, 'gen_ai.usage.completion_tokens')
        )
        AND SpanAttributes['gen_ai.operation.name'] NOT IN ('invoke_agent', 'create_agent', 'invoke_workflow', 'execute_tool')
    ORDER BY TraceId, call_key, has_agentcost DESC, SpanId
    LIMIT 1 BY TraceId, call_key
) AS call
LEFT JOIN prices AS price ON price.price_key = call.price_key
