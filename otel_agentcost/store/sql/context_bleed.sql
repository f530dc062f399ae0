-- agentcost_context_bleed: one row per message that an LLM call brought into its session after ANOTHER session had
-- brought it in first: cross-session context bleed, found over the spans of every process (each process alone only
-- knows the messages it has seen).
--
-- Each LLM span lists the messages it introduced into its session in agentcost.context.introduced, as
-- '<16 hex digits fingerprint>:<chars>,...' (hashes of message content, never content), and the size of its whole
-- request in agentcost.context.chars; its session, task, service and input tokens are read from agentcost_llm_calls
-- (so every session attribute variant counts). A fingerprint's origin is the earliest call that listed it (by start
-- time, then SpanId); every listing under a different session is a row here. `tokens` is the listing call's input
-- tokens in proportion to the message's share of its request's characters (rounded down), the rule
-- agentcost.context.foreign_tokens follows.
--
-- Columns: seen_at, TraceId, SpanId, ServiceName, session_id, task_id, fingerprint, chars, input_tokens, tokens,
-- origin_at, origin_span_id, origin_service, origin_session_id, origin_task_id.
--
-- Parameters: {database:Identifier} (the view's name only; its body reads tables of the current database).
-- Fragment: on_cluster.
CREATE OR REPLACE VIEW {database:Identifier}.agentcost_context_bleed {{ on_cluster }} AS
WITH introduced AS (
    SELECT
        call.start_time AS seen_at,
        call.TraceId AS TraceId,
        call.SpanId AS SpanId,
        call.ServiceName AS ServiceName,
        call.session_id AS session_id,
        call.task_id AS task_id,
        call.input_tokens AS input_tokens,
        listed.fingerprint AS fingerprint,
        listed.chars AS chars,
        listed.request_chars AS request_chars
    FROM (
        SELECT
            TraceId,
            SpanId,
            splitByChar(':', entry)[1] AS fingerprint,
            toUInt64OrZero(splitByChar(':', entry)[2]) AS chars,
            toUInt64OrZero(SpanAttributes['agentcost.context.chars']) AS request_chars
        FROM otel_traces
        ARRAY JOIN splitByChar(',', SpanAttributes['agentcost.context.introduced']) AS entry
        WHERE SpanAttributes['agentcost.context.introduced'] != ''
    ) AS listed
    INNER JOIN agentcost_llm_calls AS call ON call.TraceId = listed.TraceId AND call.SpanId = listed.SpanId
),
origins AS (
    SELECT
        fingerprint,
        min(seen_at) AS origin_at,
        argMin(SpanId, (seen_at, SpanId)) AS origin_span_id,
        argMin(ServiceName, (seen_at, SpanId)) AS origin_service,
        argMin(session_id, (seen_at, SpanId)) AS origin_session_id,
        argMin(task_id, (seen_at, SpanId)) AS origin_task_id
    FROM introduced
    GROUP BY fingerprint
)
SELECT
    introduced.seen_at AS seen_at,
    introduced.TraceId AS TraceId,
    introduced.SpanId AS SpanId,
    introduced.ServiceName AS ServiceName,
    introduced.session_id AS session_id,
    introduced.task_id AS task_id,
    introduced.fingerprint AS fingerprint,
    introduced.chars AS chars,
    introduced.input_tokens AS input_tokens,
    if(
        introduced.request_chars = 0,
        0,
        intDiv(introduced.input_tokens * least(introduced.chars, introduced.request_chars), introduced.request_chars)
    ) AS tokens,
    origins.origin_at AS origin_at,
    origins.origin_span_id AS origin_span_id,
    origins.origin_service AS origin_service,
    origins.origin_session_id AS origin_session_id,
    origins.origin_task_id AS origin_task_id
FROM introduced
INNER JOIN origins ON origins.fingerprint = introduced.fingerprint
WHERE introduced.session_id != origins.origin_session_id
