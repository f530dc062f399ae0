-- Context growth: per session, its tasks in the order they started, with the input tokens per call of each: when a
-- session carries earlier tasks' history into the next, the input per call climbs task after task.
--
-- Reads agentcost_selected_calls: the calls with a task (agentcost.task.id) that started in the window; a task
-- belongs to the session of its first call with one, and is keyed by its id alone, as in agentcost_work_units.
-- Standard parameters: {from}, {to} (the window, on the call's start time), {service}, {agent} (agent name or role) and
-- {model} ('*' = all).
-- Columns: session_id, task_index (1..n within the session, by the task's first call in the window), task_id, calls,
-- avg_input_tokens (per call, including cached input; not rounded), first_input_tokens, last_input_tokens (of the
-- task's first and last call), inherited_tokens (agentcost.context.inherited_tokens, summed over the task's calls),
-- first_call_at. Order: session, then task_index.
SELECT
    session_id,
    toUInt64(row_number() OVER (PARTITION BY session_id ORDER BY first_call_at, task_id)) AS task_index,
    task_id,
    calls,
    input_tokens / calls AS avg_input_tokens,
    first_input_tokens,
    last_input_tokens,
    inherited_tokens,
    first_call_at
FROM (
    SELECT
        task_id,
        argMinIf(call_session_id, start_time, call_session_id != '') AS session_id,
        count() AS calls,
        sum(call_input_tokens) AS input_tokens,
        argMin(call_input_tokens, (start_time, SpanId)) AS first_input_tokens,
        argMax(call_input_tokens, (start_time, SpanId)) AS last_input_tokens,
        sum(call_inherited_tokens) AS inherited_tokens,
        min(start_time) AS first_call_at
    FROM (
        SELECT
            task_id,
            session_id AS call_session_id,
            start_time,
            SpanId,
            input_tokens AS call_input_tokens,
            inherited_tokens AS call_inherited_tokens
        FROM agentcost_selected_calls(
            from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')},
            service = {service:String}, agent = {agent:String}, model = {model:String}
        )
        WHERE task_id != ''
    )
    GROUP BY task_id
)
ORDER BY session_id, task_index
