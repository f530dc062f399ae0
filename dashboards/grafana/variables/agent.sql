-- Grafana variable `agent`: the agent names (gen_ai.agent.name) and roles (agentcost.agent.role) of the LLM calls in
-- the dashboard's time window and chosen service, the choices of its agent filter (which matches a name or a role,
-- as the standard {agent} parameter does).
--
-- Reads agentcost_llm_calls. Standard parameters: {from}, {to} (the window, on the call's start time), {service}
-- ('*' = all).
-- Columns: agent.
SELECT DISTINCT agent
FROM (
    SELECT arrayJoin([agent, role]) AS agent
    FROM agentcost_llm_calls
    WHERE start_time >= {from:DateTime64(9, 'UTC')} AND start_time < {to:DateTime64(9, 'UTC')}
        AND ({service:String} = '*' OR ServiceName = {service:String})
)
WHERE agent != ''
ORDER BY agent
