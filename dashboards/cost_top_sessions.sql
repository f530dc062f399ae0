-- Costliest sessions: the sessions that cost most in the window, with their tasks and heartbeats.
--
-- Reads agentcost_selected_calls (one row per call, every instrumentation's attribute names: session from
-- agentcost.session.id, else gen_ai.conversation.id, else session.id; cost from the span or the price table).
-- Only the session's calls in the window count; calls without a session are in no row but in cost_share's total.
-- Standard parameters: {from}, {to} (the window, on the call's start time), {service}, {agent} (agent name or role)
-- and {model} ('*' = all).
-- @param limit = 20 how many sessions to list
-- Columns: session_id, agent (the first agent name among its calls; '' when none), calls, tasks (distinct task ids),
-- heartbeat_calls (agentcost.trigger = 'heartbeat'), input_tokens (including cached input), output_tokens, cost_usd,
-- cost_share (of the window's total cost), first_call_at, last_call_at (call start times).
SELECT
    session_id,
    first_agent AS agent,
    calls,
    tasks,
    heartbeat_calls,
    input_tokens,
    output_tokens,
    cost_usd,
    if(sum(cost_usd) OVER () > 0, cost_usd / sum(cost_usd) OVER (), 0) AS cost_share,
    first_call_at,
    last_call_at
FROM (
    SELECT
        session_id,
        argMinIf(agent, start_time, agent != '') AS first_agent,
        count() AS calls,
        uniqExactIf(task_id, task_id != '') AS tasks,
        countIf(trigger = 'heartbeat') AS heartbeat_calls,
        sum(input_tokens) AS input_tokens,
        sum(output_tokens) AS output_tokens,
        sum(cost_usd) AS cost_usd,
        min(start_time) AS first_call_at,
        max(start_time) AS last_call_at
    FROM agentcost_selected_calls(
        from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')},
        service = {service:String}, agent = {agent:String}, model = {model:String}
    )
    GROUP BY session_id
)
QUALIFY session_id != ''
ORDER BY cost_usd DESC, calls DESC, session_id
LIMIT {limit:UInt32}
