-- agentcost_session_groups(from = ..., to = ...): the LLM calls that started in the time window [from, to), each once
-- (as agentcost_llm_calls_in counts them), totalled per session, service, agent, role, model and whether they are
-- heartbeats (agentcost.trigger = 'heartbeat'), with the start times of the heartbeats: what the heartbeat reports
-- group and filter by, a few rows per session instead of every call. Calls without a session are included only for
-- the services and agents whose session-less calls include a heartbeat in the window (rows of session '').
--
-- Reads the rollup agentcost_session_calls (kept at insert time, all time) for the sessions whose rows lie wholly in
-- the window and hold no call with more than one span in a session (agentcost_call_keys); the other sessions, and the
-- session-less calls, are counted from agentcost_llm_calls_in for the window (reading nothing when there are none).
-- Costs: agentcost_model_prices, the rule of llm_calls_in.sql.
--
-- Columns: session_id, service, agent, role, model, heartbeat, calls, first_call_at, last_call_at (call start times),
-- input_tokens (including cached input), output_tokens, cost_usd, beat_starts (start times of the heartbeat calls, in
-- no order).
-- Parameters: {database:Identifier} (the view's name); {from:DateTime64(9, 'UTC')} and {to:DateTime64(9, 'UTC')}
-- stay in the view as its own parameters. Fragment: on_cluster.
CREATE OR REPLACE VIEW {database:Identifier}.agentcost_session_groups {{ on_cluster }} AS
WITH
    -- model -> (priced, input, output, cache read, cache write USD per million tokens)
    (
        SELECT CAST(
            (
                groupArray(model),
                groupArray((toUInt8(priced), input_per_mtok, output_per_mtok, cache_read_per_mtok, cache_write_per_mtok))
            ),
            'Map(String, Tuple(UInt8, Float64, Float64, Float64, Float64))'
        )
        FROM agentcost_model_prices
    ) AS price_of,
    -- Calls whose spans may be counted in a session they do not represent (call_keys.sql: the counters).
    unclean AS (
        SELECT call_key
        FROM agentcost_call_keys FINAL
        WHERE bitAnd(counts, 2097151) > 1
            AND bitAnd(bitShiftRight(counts, 84), 2097151) > 0
            AND NOT (
                bitAnd(bitShiftRight(counts, 84), 2097151) = 1
                AND bitAnd(bitShiftRight(counts, 105), 2097151) = 1
                AND bitAnd(bitShiftRight(counts, 21), 2097151) = 1
            )
    ),
    -- Sessions counted from the calls: those with an unclean call, and those with calls both in and out of the window.
    exact_sessions AS (
        SELECT agentcost_session_id AS session_id
        FROM otel_traces
        WHERE agentcost_llm_call AND agentcost_call_key IN unclean AND agentcost_session_id != ''
        UNION DISTINCT
        SELECT session_id
        FROM agentcost_session_calls FINAL
        WHERE session_id != ''
            AND first_call_at < {to:DateTime64(9, 'UTC')} AND last_call_at >= {from:DateTime64(9, 'UTC')}
            AND NOT (first_call_at >= {from:DateTime64(9, 'UTC')} AND last_call_at < {to:DateTime64(9, 'UTC')})
    ),
    sessionless AS (
        SELECT DISTINCT service, agent
        FROM agentcost_session_calls FINAL
        WHERE session_id = '' AND heartbeat
            AND first_call_at < {to:DateTime64(9, 'UTC')} AND last_call_at >= {from:DateTime64(9, 'UTC')}
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
WHERE session_id != '' AND session_id NOT IN exact_sessions
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
    sum(cost_usd) AS group_cost_usd,
    groupArrayIf(start_time, call_heartbeat) AS group_beat_starts
FROM (
    SELECT
        session_id,
        toString(ServiceName) AS call_service,
        toString(agent) AS call_agent,
        toString(role) AS call_role,
        toString(model) AS call_model,
        trigger = 'heartbeat' AS call_heartbeat,
        start_time,
        input_tokens,
        output_tokens,
        cost_usd
    FROM agentcost_llm_calls_in(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')})
    WHERE session_id IN exact_sessions OR (session_id = '' AND (ServiceName, agent) IN sessionless)
)
GROUP BY session_id, call_service, call_agent, call_role, call_model, call_heartbeat
