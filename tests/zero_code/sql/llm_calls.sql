-- Every LLM call in the store, oldest first, with the attribution its span carries.
-- Parameters: none.
SELECT
    ServiceName AS service,
    session_id,
    task_id,
    trigger,
    input_tokens,
    inherited_tokens,
    foreign_tokens
FROM agentcost_llm_calls
ORDER BY start_time, SpanId
