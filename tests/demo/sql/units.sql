-- Every work unit active in the window [from, to), with its size and its outcome.
-- Parameters: {from:DateTime64(9, 'UTC')}, {to:DateTime64(9, 'UTC')}.
SELECT unit_id, unit_kind, session_id, role, lane, model, calls, output_tokens, heartbeat_calls, outcome, grade, reason
FROM agentcost_work_units(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')})
ORDER BY unit_kind, unit_id
