-- The typed columns the views read instead of the attribute maps: MATERIALIZED, so every insert fills them, the
-- collector's too (its INSERT names only its own columns), and SELECT * does not return them (the table still looks
-- exactly like the collector's). Added by `db init` to an otel_traces the collector or an older init created; their
-- parts compute the columns when read until `materialize_columns.sql` writes them (or the parts merge).
--
-- The attribute variants of other instrumentations are resolved here, once per span, as agentcost_llm_calls.sql
-- describes: session from agentcost.session.id, else gen_ai.conversation.id, else session.id; provider from
-- gen_ai.provider.name, else gen_ai.system; input tokens from input_tokens, else prompt_tokens; output from
-- output_tokens, else completion_tokens; cache writes from cache_creation.input_tokens, else cache_write.input_tokens.
-- agentcost_llm_call: the span is an LLM call (a token count, and an operation that is not an agent, workflow or tool
-- one). agentcost_call_key: the call's identity for deduplication, a 128-bit hash of the trace and the response id
-- (the span id when there is none), so that spans of one call from two instrumentations share it.
-- Parameters: {database:Identifier}. Fragment: on_cluster.
ALTER TABLE {database:Identifier}.otel_traces {{ on_cluster }}
    ADD COLUMN IF NOT EXISTS agentcost_llm_call Bool MATERIALIZED (
        mapContains(SpanAttributes, 'gen_ai.usage.input_tokens')
        OR mapContains(SpanAttributes, 'gen_ai.usage.output_tokens')
        OR mapContains(SpanAttributes, 'gen_ai.usage.prompt_tokens')
        OR mapContains(SpanAttributes, 'gen_ai.usage.completion_tokens')
    )
    AND SpanAttributes['gen_ai.operation.name']
        NOT IN ('invoke_agent', 'create_agent', 'invoke_workflow', 'execute_tool')
        CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_call_key UInt128 MATERIALIZED reinterpretAsUInt128(sipHash128(
        TraceId,
        if(
            SpanAttributes['gen_ai.response.id'] != '',
            concat('response:', SpanAttributes['gen_ai.response.id']),
            concat('span:', SpanId)
        )
    )) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_has_agentcost Bool
        MATERIALIZED arrayExists(key -> startsWith(key, 'agentcost.'), mapKeys(SpanAttributes)) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_session_id String MATERIALIZED multiIf(
        SpanAttributes['agentcost.session.id'] != '', SpanAttributes['agentcost.session.id'],
        SpanAttributes['gen_ai.conversation.id'] != '', SpanAttributes['gen_ai.conversation.id'],
        SpanAttributes['session.id']
    ) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_task_id String MATERIALIZED SpanAttributes['agentcost.task.id'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_task_kind LowCardinality(String)
        MATERIALIZED SpanAttributes['agentcost.task.kind'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_trigger LowCardinality(String)
        MATERIALIZED SpanAttributes['agentcost.trigger'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_lane LowCardinality(String)
        MATERIALIZED SpanAttributes['agentcost.lane'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_role LowCardinality(String)
        MATERIALIZED SpanAttributes['agentcost.agent.role'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_agent LowCardinality(String)
        MATERIALIZED SpanAttributes['gen_ai.agent.name'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_provider LowCardinality(String) MATERIALIZED if(
        SpanAttributes['gen_ai.provider.name'] != '',
        SpanAttributes['gen_ai.provider.name'],
        SpanAttributes['gen_ai.system']
    ) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_operation LowCardinality(String)
        MATERIALIZED SpanAttributes['gen_ai.operation.name'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_request_model LowCardinality(String)
        MATERIALIZED SpanAttributes['gen_ai.request.model'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_response_model LowCardinality(String)
        MATERIALIZED SpanAttributes['gen_ai.response.model'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_response_id String
        MATERIALIZED SpanAttributes['gen_ai.response.id'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_input_tokens UInt64 MATERIALIZED toUInt64OrZero(if(
        SpanAttributes['gen_ai.usage.input_tokens'] != '',
        SpanAttributes['gen_ai.usage.input_tokens'],
        SpanAttributes['gen_ai.usage.prompt_tokens']
    )) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_output_tokens UInt64 MATERIALIZED toUInt64OrZero(if(
        SpanAttributes['gen_ai.usage.output_tokens'] != '',
        SpanAttributes['gen_ai.usage.output_tokens'],
        SpanAttributes['gen_ai.usage.completion_tokens']
    )) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_cache_read_tokens UInt64
        MATERIALIZED toUInt64OrZero(SpanAttributes['gen_ai.usage.cache_read.input_tokens']) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_cache_write_tokens UInt64 MATERIALIZED toUInt64OrZero(if(
        SpanAttributes['gen_ai.usage.cache_creation.input_tokens'] != '',
        SpanAttributes['gen_ai.usage.cache_creation.input_tokens'],
        SpanAttributes['gen_ai.usage.cache_write.input_tokens']
    )) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_reasoning_tokens UInt64
        MATERIALIZED toUInt64OrZero(SpanAttributes['gen_ai.usage.reasoning.output_tokens']) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_inherited_tokens UInt64
        MATERIALIZED toUInt64OrZero(SpanAttributes['agentcost.context.inherited_tokens']) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_foreign_tokens UInt64
        MATERIALIZED toUInt64OrZero(SpanAttributes['agentcost.context.foreign_tokens']) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_usage_estimated Bool
        MATERIALIZED SpanAttributes['agentcost.usage.estimated'] = 'true' CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_is_error Bool
        MATERIALIZED StatusCode IN ('Error', 'STATUS_CODE_ERROR') OR SpanAttributes['error.type'] != '' CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_cost_usd Nullable(Float64)
        MATERIALIZED toFloat64OrNull(SpanAttributes['agentcost.cost.usd']) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_cost_source LowCardinality(String)
        MATERIALIZED SpanAttributes['agentcost.cost.source'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_outcome LowCardinality(String)
        MATERIALIZED SpanAttributes['agentcost.outcome'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_grade Nullable(Float64)
        MATERIALIZED toFloat64OrNull(SpanAttributes['agentcost.grade']) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_outcome_reason String
        MATERIALIZED SpanAttributes['agentcost.outcome.reason'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_context_introduced String
        MATERIALIZED SpanAttributes['agentcost.context.introduced'] CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS agentcost_context_chars UInt64
        MATERIALIZED toUInt64OrZero(SpanAttributes['agentcost.context.chars']) CODEC(ZSTD(1))
