-- Suspected heartbeats: calls nobody tagged (no agentcost.trigger) that recur at a regular interval, so that an agent
-- instrumented without code changes shows its background drain too. Calls tagged with any trigger are left out, so
-- tagged heartbeats (see heartbeat_drain) are not reported twice.
--
-- Reads agentcost_llm_calls_in. Standard parameters: {from}, {to} (the window, on the call's start time), {service},
-- {agent} (agent name or role) and {model} ('*' = all); the filters choose the untagged calls looked at.
-- @param min_calls = 6 fewest on-beat calls for a group to be reported
-- @param max_jitter_share = 0.1 largest spread of the intervals around their median, as a share of the median
-- @param min_interval_minutes = 1 shortest median interval reported (faster rhythms are an agent's working loop)
--
-- The rule, per group (a session; untagged calls without a session are grouped by service and agent name):
-- take the intervals between consecutive untagged calls and their median M. The group is periodic when M is at
-- least min_interval_minutes and the median absolute deviation of the intervals from M is at most
-- max_jitter_share * M: a robust spread, so a missed beat or a few calls of a person in between do not hide the
-- rhythm, while irregular chatter (intervals all over the place) is not periodic. The calls reported are the beats:
-- untagged calls with an interval before or after them within max_jitter_share * M of M (a person's call in
-- between falls outside both); the group is reported when at least min_calls calls are beats.
-- Projection as in heartbeat_drain: cost_per_day_usd = 1440 / median_interval_minutes * (cost_usd / calls),
-- cost_per_month_usd = 30 * cost_per_day_usd.
-- Columns: session_id, service, agent, role (each the first non-empty one among the group's untagged calls), model
-- (of the latest beat), calls (the beats), input_tokens (including cached input), output_tokens, cost_usd (theirs),
-- median_interval_minutes (M), jitter_share (the median absolute deviation over M), cost_per_day_usd,
-- cost_per_month_usd, first_call_at, last_call_at (of the beats). Order: by cost per day, costliest first.
SELECT
    session_id,
    service,
    agent,
    role,
    arrayLast((call, beat) -> beat, series, beats).6 AS model,
    arrayCount(beats) AS calls,
    arraySum((call, beat) -> if(beat, call.2, 0), series, beats) AS input_tokens,
    arraySum((call, beat) -> if(beat, call.3, 0), series, beats) AS output_tokens,
    arraySum((call, beat) -> if(beat, call.4, 0), series, beats) AS cost_usd,
    median_interval_ns / 60e9 AS median_interval_minutes,
    deviation_ns / median_interval_ns AS jitter_share,
    1440 / median_interval_minutes * cost_usd / calls AS cost_per_day_usd,
    cost_per_day_usd * 30 AS cost_per_month_usd,
    arrayFirst((call, beat) -> beat, series, beats).5 AS first_call_at,
    arrayLast((call, beat) -> beat, series, beats).5 AS last_call_at
FROM (
    SELECT
        *,
        arrayPopFront(arrayDifference(arrayMap(call -> call.1, series))) AS intervals_ns,
        arrayReduce('quantileExactInclusive(0.5)', intervals_ns) AS median_interval_ns,
        arrayReduce('quantileExactInclusive(0.5)', arrayMap(ns -> abs(ns - median_interval_ns), intervals_ns))
            AS deviation_ns,
        arrayMap(ns -> abs(ns - median_interval_ns) <= {max_jitter_share:Float64} * median_interval_ns, intervals_ns)
            AS on_beat,
        -- a call is a beat when the interval before it (on_beat shifted right) or after it is on the beat
        arrayMap((before, after) -> before OR after, arrayPushFront(on_beat, false), arrayPushBack(on_beat, false))
            AS beats
    FROM (
        SELECT
            session_id,
            argMinIf(call_service, start_time, call_service != '') AS service,
            argMinIf(call_agent, start_time, call_agent != '') AS agent,
            argMinIf(call_role, start_time, call_role != '') AS role,
            -- the group's calls in time order: (start ns, input tokens, output tokens, cost, start time, model)
            arraySort(groupArray((
                toUnixTimestamp64Nano(start_time), input_tokens, output_tokens, cost_usd, start_time, call_model
            ))) AS series
        FROM (
            SELECT
                session_id,
                if(session_id = '', ServiceName, '') AS group_service,
                if(session_id = '', agent, '') AS group_agent,
                ServiceName AS call_service,
                agent AS call_agent,
                role AS call_role,
                model AS call_model,
                start_time,
                input_tokens,
                output_tokens,
                cost_usd
            FROM agentcost_llm_calls_in(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')})
            WHERE trigger = ''
                AND throwIf(
                    {max_jitter_share:Float64} < 0 OR {min_interval_minutes:Float64} < 0,
                    'max_jitter_share and min_interval_minutes must be 0 or more, e.g. 0.1 and 1'
                ) = 0
                AND ({service:String} = '*' OR ServiceName = {service:String})
                AND ({agent:String} = '*' OR agent = {agent:String} OR role = {agent:String})
                AND ({model:String} = '*' OR model = {model:String})
        )
        GROUP BY session_id, group_service, group_agent
        HAVING count() > 1
    )
)
WHERE median_interval_ns > 0
    AND median_interval_ns >= {min_interval_minutes:Float64} * 60e9
    AND deviation_ns <= {max_jitter_share:Float64} * median_interval_ns
    AND calls >= {min_calls:UInt32}
ORDER BY cost_per_day_usd DESC, cost_usd DESC, session_id, service, agent
