-- Context bleed: per session, the input tokens its calls in the window carried from other sessions (messages first
-- seen under another session, e.g. parallel sessions over a shared connection, or a message copied from one agent
-- process into another), their share of the session's input and their cost; sessions without any are left out.
--
-- A call's foreign tokens are the larger of two counts of the same thing: agentcost.context.foreign_tokens (what its
-- process knew when it made the call) and the sum of its rows' tokens in agentcost_context_bleed (what the spans of
-- every process show: the only count that sees bleed between processes, over the 32 largest messages each span
-- lists). Taking the larger never counts a message twice.
--
-- Reads agentcost_selected_calls and agentcost_context_bleed. Standard parameters: {from}, {to} (the window, on the call's start time), {service},
-- {agent} (agent name or role) and {model} ('*' = all). Calls without a session form one row with session_id ''.
-- @param output_price_ratio = 5 an output token's price in input tokens (Anthropic's models 5, OpenAI's 4 to 8)
--
-- Cost rule, as in context_tasks: each call's cost is spread over its tokens with an output token weighing
-- output_price_ratio input tokens; foreign_cost_usd sums foreign tokens times that per-token input cost.
-- Columns: session_id, service, agent, role (each the first non-empty one among the session's calls), calls,
-- foreign_calls (calls with foreign tokens), input_tokens (including cached input), foreign_tokens, foreign_share
-- (of input_tokens), foreign_cost_usd, cost_usd (all the session's calls in the window). Order: costliest bleed first.
SELECT
    session_id,
    service,
    agent,
    role,
    calls,
    foreign_calls,
    input_tokens,
    foreign_tokens,
    if(input_tokens > 0, foreign_tokens / input_tokens, 0) AS foreign_share,
    foreign_cost_usd,
    cost_usd
FROM (
    SELECT
        session_id,
        argMinIf(call_service, start_time, call_service != '') AS service,
        argMinIf(call_agent, start_time, call_agent != '') AS agent,
        argMinIf(call_role, start_time, call_role != '') AS role,
        count() AS calls,
        countIf(call_foreign_tokens > 0) AS foreign_calls,
        sum(call_input_tokens) AS input_tokens,
        sum(call_foreign_tokens) AS foreign_tokens,
        sum(call_foreign_tokens * input_token_usd) AS foreign_cost_usd,
        sum(call_cost_usd) AS cost_usd
    FROM (
        SELECT
            session_id,
            ServiceName AS call_service,
            agent AS call_agent,
            role AS call_role,
            start_time,
            input_tokens AS call_input_tokens,
            greatest(foreign_tokens, bleed.tokens) AS call_foreign_tokens,
            cost_usd AS call_cost_usd,
            if(
                input_tokens + {output_price_ratio:Float64} * output_tokens > 0,
                cost_usd / (input_tokens + {output_price_ratio:Float64} * output_tokens),
                0
            ) AS input_token_usd
        FROM agentcost_selected_calls(
            from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')},
            service = {service:String}, agent = {agent:String}, model = {model:String}
        ) AS calls
        LEFT JOIN (
            SELECT SpanId, sum(tokens) AS tokens
            FROM agentcost_context_bleed
            WHERE seen_at >= {from:DateTime64(9, 'UTC')} AND seen_at < {to:DateTime64(9, 'UTC')}
            GROUP BY SpanId
        ) AS bleed ON bleed.SpanId = calls.SpanId
        WHERE throwIf({output_price_ratio:Float64} < 0, 'output_price_ratio must be 0 or more, e.g. 5') = 0
    )
    GROUP BY session_id
    HAVING foreign_tokens > 0
)
ORDER BY foreign_cost_usd DESC, foreign_tokens DESC, session_id
