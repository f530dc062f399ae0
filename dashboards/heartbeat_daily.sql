-- Heartbeat drain per day: for each UTC day and session, the heartbeat calls (agentcost.trigger = 'heartbeat') that
-- started in the window, their tokens and cost; days in order, the costliest session first within a day.
--
-- Reads agentcost_selected_calls. Standard parameters: {from}, {to} (the window, on the call's start time), {service},
-- {agent} (agent name or role) and {model} ('*' = all). Heartbeats without a session are grouped by service and
-- agent name, as in heartbeat_drain (their session_id is '').
-- Columns: day (UTC), session_id, service, agent, role (each the first non-empty one among the day's heartbeats),
-- heartbeat_calls, heartbeat_tokens (input, including cached input, + output), heartbeat_cost_usd.
SELECT
    day,
    session_id,
    argMinIf(call_service, start_time, call_service != '') AS service,
    argMinIf(call_agent, start_time, call_agent != '') AS agent,
    argMinIf(call_role, start_time, call_role != '') AS role,
    count() AS heartbeat_calls,
    sum(input_tokens + output_tokens) AS heartbeat_tokens,
    sum(cost_usd) AS heartbeat_cost_usd
FROM (
    SELECT
        toDate(start_time, 'UTC') AS day,
        session_id,
        if(session_id = '', ServiceName, '') AS group_service,
        if(session_id = '', agent, '') AS group_agent,
        ServiceName AS call_service,
        agent AS call_agent,
        role AS call_role,
        start_time,
        input_tokens,
        output_tokens,
        cost_usd
    FROM agentcost_selected_calls(
        from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')},
        service = {service:String}, agent = {agent:String}, model = {model:String}
    )
    WHERE trigger = 'heartbeat'
)
GROUP BY day, session_id, group_service, group_agent
ORDER BY day, heartbeat_cost_usd DESC, session_id, service, agent
