-- Inherited and foreign context per task active in the window, in the order the tasks began.
-- Parameters: {from:DateTime64(9, 'UTC')}, {to:DateTime64(9, 'UTC')}.
SELECT
    session_id,
    task_id,
    calls,
    input_tokens,
    inherited_tokens,
    foreign_tokens
FROM agentcost_work_units(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')})
WHERE unit_kind = 'task'
ORDER BY first_call_at, task_id
