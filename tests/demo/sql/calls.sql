-- Every LLM call the demo stored in the window [from, to), oldest first, with the columns the tests check.
-- Parameters: {from:DateTime64(9, 'UTC')}, {to:DateTime64(9, 'UTC')}.
SELECT
    toUnixTimestamp64Nano(start_time) AS start_ns,
    session_id,
    task_id,
    trigger,
    lane,
    role,
    agent,
    provider,
    model,
    input_tokens,
    output_tokens,
    inherited_tokens,
    foreign_tokens,
    cost_usd,
    priced
FROM agentcost_llm_calls
WHERE start_time >= {from:DateTime64(9, 'UTC')} AND start_time < {to:DateTime64(9, 'UTC')}
ORDER BY start_time, session_id
