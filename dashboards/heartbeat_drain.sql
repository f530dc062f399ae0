-- Heartbeat drain: per session, the background heartbeat calls (agentcost.trigger = 'heartbeat') that started in the
-- window, what they cost, and what they will cost per day and per month at their pace; idle sessions first.
--
-- Reads agentcost_session_groups (the window's calls, each once, totalled per session, service, agent, role, model
-- and heartbeat or not, with the heartbeats' start times: a few rows per session). Standard parameters: {from},
-- {to} (the window, on the call's start time), {service}, {agent} (agent name or role) and {model} ('*' = all); the
-- filters choose the heartbeat calls counted.
-- A row is a session; heartbeat calls without a session are grouped by service and agent name instead (their
-- session_id is '').
-- Projection: cost_per_day_usd = 1440 / median_interval_minutes * (heartbeat_cost_usd / heartbeat_calls), the
-- median interval being between consecutive heartbeats of the row in the window (robust to a missed or an extra
-- beat); cost_per_month_usd = 30 * cost_per_day_usd. With a single heartbeat there is no interval: both are NULL.
-- idle: the session made no call in the window other than heartbeats, whatever its trigger (user, schedule,
-- reactive or untagged): the heartbeats kept alive a session nothing used. An untagged call counts as use because
-- zero-code agents often leave user calls untagged; idle must not call a session unused that a person was using.
-- idle, other_calls and heartbeat_cost_share look at all the session's calls in the window, not only the filtered ones.
-- Columns: session_id, service, agent, role (each the first non-empty one among the heartbeats), model (of the latest
-- heartbeat), heartbeat_calls, heartbeat_tokens (input, including cached input, + output), heartbeat_cost_usd,
-- heartbeat_cost_share (of all the session's cost in the window), median_interval_minutes, cost_per_day_usd,
-- cost_per_month_usd, idle, other_calls (the session's calls that are not heartbeats), first_heartbeat_at,
-- last_heartbeat_at. Order: idle sessions first, then by cost per day (unknown last), then heartbeat cost.
SELECT
    session_id,
    service,
    agent,
    role,
    model,
    heartbeat_calls,
    heartbeat_tokens,
    heartbeat_cost_usd,
    if(session_cost_usd > 0, heartbeat_cost_usd / session_cost_usd, 0) AS heartbeat_cost_share,
    if(heartbeat_calls > 1, median_interval_ns / 60e9, NULL) AS median_interval_minutes,
    if(median_interval_minutes > 0, 1440 / median_interval_minutes * heartbeat_cost_usd / heartbeat_calls, NULL)
        AS cost_per_day_usd,
    cost_per_day_usd * 30 AS cost_per_month_usd,
    toBool(other_calls = 0) AS idle,
    other_calls,
    first_heartbeat_at,
    last_heartbeat_at
FROM (
    SELECT
        session_id,
        argMinIf(group_service, first_call_at, counted AND group_service != '') AS service,
        argMinIf(group_agent, first_call_at, counted AND group_agent != '') AS agent,
        argMinIf(group_role, first_call_at, counted AND group_role != '') AS role,
        argMaxIf(group_model, last_call_at, counted) AS model,
        sumIf(calls, counted) AS heartbeat_calls,
        sumIf(input_tokens + output_tokens, counted) AS heartbeat_tokens,
        sumIf(cost_usd, counted) AS heartbeat_cost_usd,
        sum(cost_usd) AS session_cost_usd,
        -- the median of the intervals between consecutive heartbeats (quantileExactInclusive(0.5): the mean of the
        -- two middle ones when their number is even; it selects them without sorting the intervals)
        arrayPopFront(arrayDifference(arraySort(
            arrayMap(at -> toUnixTimestamp64Nano(at), arrayFlatten(groupArrayIf(beat_starts, counted)))
        ))) AS intervals_ns,
        if(empty(intervals_ns), nan, arrayReduce('quantileExactInclusive(0.5)', intervals_ns)) AS median_interval_ns,
        sumIf(calls, NOT heartbeat) AS other_calls,
        minIf(first_call_at, counted) AS first_heartbeat_at,
        maxIf(last_call_at, counted) AS last_heartbeat_at
    FROM (
        SELECT
            session_id,
            if(session_id = '', service, '') AS session_service,
            if(session_id = '', agent, '') AS session_agent,
            service AS group_service,
            agent AS group_agent,
            role AS group_role,
            model AS group_model,
            heartbeat,
            calls,
            first_call_at,
            last_call_at,
            input_tokens,
            output_tokens,
            cost_usd,
            beat_starts,
            heartbeat
                AND ({service:String} = '*' OR service = {service:String})
                AND ({agent:String} = '*' OR agent = {agent:String} OR role = {agent:String})
                AND ({model:String} = '*' OR model = {model:String}) AS counted
        FROM agentcost_session_groups(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')})
    )
    GROUP BY session_id, session_service, session_agent
    HAVING heartbeat_calls > 0
)
ORDER BY idle DESC, cost_per_day_usd DESC NULLS LAST, heartbeat_cost_usd DESC, session_id, service, agent
