-- agentcost_context_bleed: one row per message that an LLM call brought into its session after ANOTHER session had
-- brought it in first: cross-session context bleed, found over the spans of every process (each process alone only
-- knows the messages it has seen).
--
-- Each LLM span lists the messages it introduced into its session in agentcost.context.introduced, as
-- '<16 hex digits fingerprint>:<chars>,...' (hashes of message content, never content), and the size of its whole
-- request in agentcost.context.chars; its session, task and input tokens are read from the typed columns of
-- otel_traces_columns.sql (so every session attribute variant counts). Only this project lists messages, so the span
-- listing them is the one agentcost_llm_calls counts for its call. A fingerprint's origin is the earliest call that
-- listed it (by start time, then SpanId); every listing under a different session is a row here. `tokens` is the
-- listing call's input tokens in proportion to the message's share of its request's characters (rounded down), the
-- rule agentcost.context.foreign_tokens follows.
--
-- Columns: seen_at, TraceId, SpanId, ServiceName, session_id, task_id, fingerprint, chars, input_tokens, tokens,
-- origin_at, origin_span_id, origin_service, origin_session_id, origin_task_id.
--
-- Parameters: {database:Identifier} (the view's name only; its body reads tables of the current database).
-- Fragment: on_cluster.
CREATE OR REPLACE VIEW {database:Identifier}.agentcost_context_bleed {{ on_cluster }} AS
WITH introduced AS (
    -- DISTINCT: a span stored twice lists its messages once.
    SELECT DISTINCT
        Timestamp AS seen_at,
        TraceId,
        SpanId,
        ServiceName,
        agentcost_session_id AS session_id,
        agentcost_task_id AS task_id,
        agentcost_input_tokens AS input_tokens,
        splitByChar(':', entry)[1] AS fingerprint,
        toUInt64OrZero(splitByChar(':', entry)[2]) AS chars,
        agentcost_context_chars AS request_chars
    FROM otel_traces
    ARRAY JOIN splitByChar(',', agentcost_context_introduced) AS entry
    WHERE agentcost_context_introduced != '' AND agentcost_llm_call
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
