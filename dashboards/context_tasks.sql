-- Inherited context per task: of the input tokens each task's calls sent in the window, how many were inherited from
-- earlier tasks of the session (agentcost.context.inherited_tokens) or came from another session
-- (agentcost.context.foreign_tokens), and what they cost; the costliest inheritance first.
--
-- Reads agentcost_selected_calls: the calls with a task (agentcost.task.id) that started in the window; a task is
-- keyed by its id alone, as in agentcost_work_units. Standard parameters: {from}, {to} (the window, on the call's start
-- time), {service}, {agent} (agent name or role) and {model} ('*' = all).
-- @param output_price_ratio = 5 an output token's price in input tokens (Anthropic's models 5, OpenAI's 4 to 8)
--
-- Cost rule: the view gives each call's cost, not split into input and output, so each call's cost is spread over
-- its tokens with an output token weighing output_price_ratio input tokens: a token of input costs
-- cost_usd / (input_tokens + output_price_ratio * output_tokens), and inherited_cost_usd (foreign_cost_usd) is the sum
-- over the task's calls of inherited (foreign) tokens times that. When the ratio is the model's, this is exactly the
-- tokens at the input price; cached input is valued at the call's average input price (cheap cache reads lower it).
-- Columns: session_id, task_id, task_kind, role, agent (each the first non-empty one among the task's calls), calls,
-- first_call_at, input_tokens (including cached input), inherited_tokens, inherited_share (of input_tokens),
-- inherited_cost_usd, foreign_tokens, foreign_share, foreign_cost_usd, cost_usd (all the task's calls in the window).
SELECT
    session_id,
    task_id,
    task_kind,
    role,
    agent,
    calls,
    first_call_at,
    input_tokens,
    inherited_tokens,
    if(input_tokens > 0, inherited_tokens / input_tokens, 0) AS inherited_share,
    inherited_cost_usd,
    foreign_tokens,
    if(input_tokens > 0, foreign_tokens / input_tokens, 0) AS foreign_share,
    foreign_cost_usd,
    cost_usd
FROM (
    SELECT
        task_id,
        argMinIf(call_session_id, start_time, call_session_id != '') AS session_id,
        argMinIf(call_task_kind, start_time, call_task_kind != '') AS task_kind,
        argMinIf(call_role, start_time, call_role != '') AS role,
        argMinIf(call_agent, start_time, call_agent != '') AS agent,
        count() AS calls,
        min(start_time) AS first_call_at,
        sum(call_input_tokens) AS input_tokens,
        sum(call_inherited_tokens) AS inherited_tokens,
        sum(call_inherited_tokens * input_token_usd) AS inherited_cost_usd,
        sum(call_foreign_tokens) AS foreign_tokens,
        sum(call_foreign_tokens * input_token_usd) AS foreign_cost_usd,
        sum(call_cost_usd) AS cost_usd
    FROM (
        SELECT
            task_id,
            session_id AS call_session_id,
            task_kind AS call_task_kind,
            role AS call_role,
            agent AS call_agent,
            start_time,
            input_tokens AS call_input_tokens,
            inherited_tokens AS call_inherited_tokens,
            foreign_tokens AS call_foreign_tokens,
            cost_usd AS call_cost_usd,
            if(
                input_tokens + {output_price_ratio:Float64} * output_tokens > 0,
                cost_usd / (input_tokens + {output_price_ratio:Float64} * output_tokens),
                0
            ) AS input_token_usd
        FROM agentcost_selected_calls(
            from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')},
            service = {service:String}, agent = {agent:String}, model = {model:String}
        )
        WHERE task_id != ''
            AND throwIf({output_price_ratio:Float64} < 0, 'output_price_ratio must be 0 or more, e.g. 5') = 0
    )
    GROUP BY task_id
)
ORDER BY inherited_cost_usd DESC, inherited_tokens DESC, first_call_at, task_id
