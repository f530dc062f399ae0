-- Generated spans for the query benchmark: LLM calls {start} .. {start} + {count} - 1 of a fleet of {sessions}
-- sessions, with the spans that come with them, inserted into otel_traces exactly as the collector writes them (only
-- its own columns named, so materialized columns are filled the way they are in production).
--
-- Call i belongs to session i % sessions, at position j = i / sessions in it; a session's calls are spread evenly
-- over {days} days from {base}. Per session: a service and role (pm, coder, triage), an agent, a main model (two
-- Anthropic, two OpenAI). Every 20th session is idle: heartbeats only. Otherwise calls with j % 10 < 3 are
-- heartbeats (no task) and the rest run tasks of 8 calls (every 7th session runs none: its calls make a session
-- unit), whose output sizes make the four bands and two lanes. Every 5th session is written in the other
-- instrumentations' names (gen_ai.conversation.id, gen_ai.system, prompt/completion tokens, cache_write); every
-- 50th Anthropic call is seen twice (the Anthropic SDK's own span, same trace and response id); the last call of a
-- task brings an Internal outcome span (success, noop, blocked, failed, abandoned or none, with grade and reason).
-- Calls carry inherited and (some sessions) foreign context tokens, and every 20th lists two message fingerprints
-- that sessions of the same triple share (context bleed).
-- Parameters: {start:UInt64}, {count:UInt64}, {sessions:UInt64}, {per_session:UInt64} (calls per session),
-- {days:UInt32}, {base:DateTime64(9, 'UTC')}.
INSERT INTO otel_traces (
    Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName, ResourceAttributes,
    ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage
)
SELECT
    addNanoseconds(at, copy) AS Timestamp,
    lower(hex(sipHash128('trace', session, task_number))) AS TraceId,
    lower(hex(cityHash64('span', number, copy))) AS SpanId,
    '' AS ParentSpanId,
    '' AS TraceState,
    if(copy = 2, 'agentcost.outcome', concat('chat ', model)) AS SpanName,
    if(copy = 2, 'Internal', 'Client') AS SpanKind,
    service AS ServiceName,
    map('service.name', service) AS ResourceAttributes,
    multiIf(copy = 1, 'com.anthropic.sdk.python', other_names, 'opentelemetry.instrumentation.openai', 'otel_agentcost')
        AS ScopeName,
    '1.0' AS ScopeVersion,
    mapFilter((key, value) -> value != '', if(copy = 2, outcome_attributes, call_attributes)) AS SpanAttributes,
    toUInt64(duration_s * 1000000000) AS Duration,
    if(copy = 0 AND number % 97 = 0, 'Error', 'Unset') AS StatusCode,
    '' AS StatusMessage
FROM (
    SELECT
        number,
        number % {sessions:UInt64} AS session,
        intDiv(number, {sessions:UInt64}) AS j,
        session % 20 = 0 AS idle,
        session % 5 = 4 AS other_names,
        ['pm', 'coder', 'triage'][session % 3 + 1] AS role,
        concat(role, '-agent') AS service,
        concat(role, '-', toString(session % 10)) AS agent,
        idle OR j % 10 < 3 AS heartbeat,
        NOT heartbeat AND session % 7 != 0 AS in_task,
        intDiv(j, 8) AS task_number,
        if(in_task, concat('t-', toString(session), '-', toString(task_number)), '') AS task,
        concat('s-', toString(session)) AS session_id,
        ['claude-sonnet-4-5', 'claude-haiku-4-5', 'gpt-4o', 'gpt-4o-mini'][(session + intDiv(j, 50)) % 4 + 1] AS model,
        startsWith(model, 'claude') AS anthropic,
        if(anthropic, 'anthropic', 'openai') AS provider,
        cityHash64('task', session, task_number) % 100 AS task_size,
        multiIf(heartbeat, 40, task_size < 45, 300, task_size < 70, 1200, task_size < 90, 2800, 6000) AS output_scale,
        toUInt64(output_scale / 2 + cityHash64('out', number) % output_scale) AS output_tokens,
        toUInt64(2000 + (j % 40) * 400 + cityHash64('in', number) % 3000) AS input_tokens,
        if(anthropic, intDiv(input_tokens, 2), 0) AS cache_read_tokens,
        if(anthropic AND j % 8 = 0, 500, 0) AS cache_write_tokens,
        if(in_task AND j % 8 != 0, intDiv(input_tokens * 3, 10), 0) AS inherited_tokens,
        if(session % 11 = 0, intDiv(input_tokens, 10), 0) AS foreign_tokens,
        multiIf(heartbeat, 'heartbeat', j % 3 = 0, 'reactive', j % 3 = 1, 'user', '') AS trigger,
        multiIf(role != 'pm', '', task_size < 45 OR heartbeat, 'pm-trivial', 'pm-heavy') AS lane,
        addSeconds(
            {base:DateTime64(9, 'UTC')},
            j * intDiv({days:UInt32} * 86400, {per_session:UInt64}) + cityHash64('at', session) % 1800
        ) AS at,
        1 + cityHash64('duration', number) % 30 AS duration_s,
        concat('msg_', lower(hex(cityHash64('response', number)))) AS response_id,
        if(
            number % 20 = 0,
            arrayStringConcat(
                arrayMap(
                    k -> concat(lower(hex(cityHash64('message', intDiv(session, 3), intDiv(j, 4), k))), ':', '4000'),
                    [1, 2]
                ),
                ','
            ),
            ''
        ) AS introduced,
        cityHash64('outcome', session, task_number) % 100 AS outcome_draw,
        multiIf(
            outcome_draw < 55, 'success', outcome_draw < 70, 'noop', outcome_draw < 80, 'blocked',
            outcome_draw < 88, 'failed', outcome_draw < 93, 'abandoned', ''
        ) AS outcome,
        ['claim denied', 'blocked on review', 'lane contention', 'ambiguous request'][outcome_draw % 4 + 1] AS reason,
        map(
            'gen_ai.operation.name', 'chat',
            'gen_ai.request.model', model,
            'gen_ai.response.model', model,
            'gen_ai.response.id', response_id,
            'gen_ai.provider.name', if(other_names, '', provider),
            'gen_ai.system', if(other_names, provider, ''),
            'gen_ai.usage.input_tokens', if(other_names, '', toString(input_tokens)),
            'gen_ai.usage.prompt_tokens', if(other_names, toString(input_tokens), ''),
            'gen_ai.usage.output_tokens', if(other_names, '', toString(output_tokens)),
            'gen_ai.usage.completion_tokens', if(other_names, toString(output_tokens), ''),
            'gen_ai.usage.cache_read.input_tokens', if(cache_read_tokens > 0, toString(cache_read_tokens), ''),
            'gen_ai.usage.cache_creation.input_tokens',
                if(NOT other_names AND cache_write_tokens > 0, toString(cache_write_tokens), ''),
            'gen_ai.usage.cache_write.input_tokens',
                if(other_names AND cache_write_tokens > 0, toString(cache_write_tokens), ''),
            'gen_ai.conversation.id', if(other_names, session_id, ''),
            'gen_ai.agent.name', agent,
            'agentcost.session.id', if(other_names, '', session_id),
            'agentcost.task.id', task,
            'agentcost.task.kind', if(in_task, 'triage', ''),
            'agentcost.trigger', trigger,
            'agentcost.lane', lane,
            'agentcost.agent.role', role,
            'agentcost.context.inherited_tokens', if(inherited_tokens > 0, toString(inherited_tokens), ''),
            'agentcost.context.foreign_tokens', if(foreign_tokens > 0, toString(foreign_tokens), ''),
            'agentcost.context.introduced', introduced,
            'agentcost.context.chars', if(introduced != '', '40000', ''),
            'agentcost.cost.source', if(other_names, '', 'price_table')
        ) AS agentcost_attributes,
        map(
            'agentcost.session.id', session_id,
            'agentcost.task.id', task,
            'agentcost.outcome', outcome,
            'agentcost.grade', if(outcome = '', '', toString(outcome_draw / 100)),
            'agentcost.outcome.reason', if(outcome IN ('noop', 'blocked', 'abandoned'), reason, '')
        ) AS outcome_attributes,
        arrayJoin(arrayConcat(
            [0],
            if(anthropic AND NOT other_names AND number % 50 = 0, [1], []),
            if(in_task AND j % 8 = 7 AND outcome != '', [2], [])
        )) AS copy,
        if(
            copy = 1,
            map(
                'gen_ai.operation.name', 'chat',
                'gen_ai.request.model', model,
                'gen_ai.response.id', response_id,
                'gen_ai.system', 'anthropic',
                'gen_ai.usage.input_tokens', toString(input_tokens + cache_write_tokens),
                'gen_ai.usage.output_tokens', toString(output_tokens),
                'gen_ai.usage.cache_write.input_tokens', if(cache_write_tokens > 0, toString(cache_write_tokens), '')
            ),
            agentcost_attributes
        ) AS call_attributes
    FROM numbers({start:UInt64}, {count:UInt64})
)
