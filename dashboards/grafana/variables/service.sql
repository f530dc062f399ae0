-- Grafana variable `service`: the services (resource service.name) with LLM calls in the dashboard's time window,
-- the choices of its service filter.
--
-- Reads agentcost_llm_calls. Standard parameters: {from}, {to} (the window, on the call's start time).
-- Columns: service.
SELECT DISTINCT ServiceName AS service
FROM agentcost_llm_calls
WHERE start_time >= {from:DateTime64(9, 'UTC')} AND start_time < {to:DateTime64(9, 'UTC')}
    AND ServiceName != ''
ORDER BY service
