-- agentcost_session_groups(from = ..., to = ...): the LLM calls that started in the time window [from, to), each once
-- (as agentcost_llm_calls_in counts them), totalled per session, service, agent, role, model and whether they are
-- heartbeats (agentcost.trigger = 'heartbeat'), with the start times of the heartbeats: what the heartbeat reports
-- group and filter by, a few rows per session instead of every call. Calls without a session are included only for
-- the services and agents whose session-less calls include a heartbeat in the window (rows of session '').
--
-- Reads the rollup agentcost_session_calls (kept at insert time, all time) for the sessions whose rows lie wholly in
-- the window and hold no call with more than one span in a session (agentcost_call_spans); the other sessions, and the
-- session-less calls, are counted from otel_traces for the window, each call once as agentcost_llm_calls_in counts it
-- (reading nothing when there are none).
-- Costs: agentcost_price_map, the rule of llm_calls_in.sql.
--
-- Columns: session_id, service, agent, role, model, heartbeat, calls, first_call_at, last_call_at (call start times),
-- input_tokens (including cached input), output_tokens, cost_usd, beat_starts (start times of the heartbeat calls, in
-- no order).
-- Parameters: {database:Identifier} (the view's name); {from:DateTime64(9, 'UTC')} and {to:DateTime64(9, 'UTC')}
-- stay in the view as its own parameters. Fragment: on_cluster.
CREATE OR REPLACE VIEW {database:Identifier}.agentcost_session_groups {{ on_cluster }} AS
WITH
    (SELECT price_of FROM agentcost_price_map) AS price_of,
    -- The lookups below are scalars (an array each), computed once per query: a named subquery would be computed again
    -- for every set built from it, and each computation of the first reads the whole ledger.
    -- Calls whose spans may be counted in a session they do not represent.
    (
        SELECT groupArray(call_key)
        FROM agentcost_call_spans
        WHERE spans > 1 AND session_spans > 0
            AND NOT (session_spans = 1 AND session_agentcost_spans = 1 AND agentcost_spans = 1)
    ) AS unclean,
    -- Sessions counted from the calls: those with an unclean call, and those with calls both in and out of the window.
    (
        SELECT groupUniqArray(session_id)
        FROM (
            SELECT agentcost_session_id AS session_id
            FROM otel_traces
            WHERE notEmpty(unclean)
                AND agentcost_llm_call AND agentcost_call_key IN (SELECT arrayJoin(unclean)) AND agentcost_session_id != ''
            UNION ALL
            SELECT session_id
            FROM agentcost_session_calls FINAL
            WHERE session_id != ''
                AND first_call_at < {to:DateTime64(9, 'UTC')} AND last_call_at >= {from:DateTime64(9, 'UTC')}
                AND NOT (first_call_at >= {from:DateTime64(9, 'UTC')} AND last_call_at < {to:DateTime64(9, 'UTC')})
        )
    ) AS exact_sessions,
    (
        SELECT groupUniqArray((service, agent))
        FROM agentcost_session_calls FINAL
        WHERE session_id = '' AND heartbeat
            AND first_call_at < {to:DateTime64(9, 'UTC')} AND last_call_at >= {from:DateTime64(9, 'UTC')}
    ) AS sessionless,
    -- The window's spans of the calls counted from otel_traces (nothing is read when there are none).
    exact_spans AS (
        SELECT
            Timestamp AS start_time,
            SpanId,
            agentcost_call_key AS call_key,
            agentcost_session_id AS session_id,
            toString(ServiceName) AS call_service,
            toString(agentcost_agent) AS call_agent,
            toString(agentcost_role) AS call_role,
            toString(if(agentcost_response_model != '', agentcost_response_model, agentcost_request_model))
                AS call_model,
            agentcost_trigger = 'heartbeat' AS call_heartbeat,
            agentcost_input_tokens AS input_tokens,
            agentcost_output_tokens AS output_tokens,
            agentcost_cache_read_tokens AS cache_read_tokens,
            agentcost_cache_write_tokens AS cache_write_tokens,
            agentcost_cost_usd AS span_cost,
            agentcost_cost_source AS span_cost_source
        FROM otel_traces
        WHERE (notEmpty(exact_sessions) OR notEmpty(sessionless))
            AND Timestamp >= {from:DateTime64(9, 'UTC')} AND Timestamp < {to:DateTime64(9, 'UTC')}
            AND agentcost_llm_call
            AND (
                agentcost_session_id IN (SELECT arrayJoin(exact_sessions))
                OR (agentcost_session_id = '' AND (ServiceName, agentcost_agent) IN (SELECT arrayJoin(sessionless)))
            )
    ),
    -- The span that represents each of their calls, chosen among all the window's spans of the call as
    -- llm_calls_in.sql chooses (its agentcost.* span, then the smallest SpanId): once per call.
    chosen AS (
        SELECT agentcost_call_key AS call_key, SpanId
        FROM otel_traces
        WHERE (notEmpty(exact_sessions) OR notEmpty(sessionless))
            AND Timestamp >= {from:DateTime64(9, 'UTC')} AND Timestamp < {to:DateTime64(9, 'UTC')}
            AND agentcost_llm_call
            AND agentcost_call_key IN (SELECT call_key FROM exact_spans)
        ORDER BY call_key, agentcost_has_agentcost DESC, SpanId
        LIMIT 1 BY call_key
    )
SELECT
    session_id,
    service,
    agent,
    role,
    model,
    heartbeat,
    calls,
    first_call_at,
    last_call_at,
    input_tokens,
    output_tokens,
    toFloat64(span_usd + if(
        (price_of[toString(model)] AS price).1 = 1,
        (
            table_uncached_input_tokens * price.2 + table_cache_read_tokens * price.4
            + table_cache_write_tokens * price.5 + table_output_tokens * price.3
        ) / 1000000,
        fallback_usd
    )) AS cost_usd,
    beat_starts
FROM agentcost_session_calls FINAL
WHERE session_id != '' AND (empty(exact_sessions) OR session_id NOT IN (SELECT arrayJoin(exact_sessions)))
    AND first_call_at >= {from:DateTime64(9, 'UTC')} AND last_call_at < {to:DateTime64(9, 'UTC')}
UNION ALL
SELECT
    session_id,
    call_service,
    call_agent,
    call_role,
    call_model,
    call_heartbeat,
    count() AS group_calls,
    min(start_time) AS group_first_call_at,
    max(start_time) AS group_last_call_at,
    sum(input_tokens) AS group_input_tokens,
    sum(output_tokens) AS group_output_tokens,
    sum(toFloat64(multiIf(
        span_cost IS NOT NULL AND span_cost_source NOT IN ('price_table', 'unpriced'), ifNull(span_cost, 0),
        (price_of[call_model] AS price).1 = 1, (
            greatest(toInt64(input_tokens) - toInt64(cache_read_tokens) - toInt64(cache_write_tokens), 0) * price.2
            + cache_read_tokens * price.4 + cache_write_tokens * price.5 + output_tokens * price.3
        ) / 1000000,
        span_cost_source = 'price_table' AND span_cost IS NOT NULL, ifNull(span_cost, 0),
        0
    ))) AS group_cost_usd,
    groupArrayIf(start_time, call_heartbeat) AS group_beat_starts
FROM (SELECT * FROM exact_spans WHERE (call_key, SpanId) IN chosen LIMIT 1 BY call_key)  -- a span stored twice: once
GROUP BY session_id, call_service, call_agent, call_role, call_model, call_heartbeat
