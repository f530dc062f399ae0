-- Grafana variable `model`: the models of the LLM calls in the dashboard's time window, chosen service and chosen
-- agent (name or role), the choices of its model filter.
--
-- Reads agentcost_llm_calls. Standard parameters: {from}, {to} (the window, on the call's start time), {service} and
-- {agent} ('*' = all).
-- Columns: model.
SELECT DISTINCT model
FROM agentcost_llm_calls
WHERE start_time >= {from:DateTime64(9, 'UTC')} AND start_time < {to:DateTime64(9, 'UTC')}
    AND ({service:String} = '*' OR ServiceName = {service:String})
    AND ({agent:String} = '*' OR agent = {agent:String} OR role = {agent:String})
    AND model != ''
ORDER BY model
