-- agentcost_selected_calls(from = ..., to = ..., service = ..., agent = ..., model = ...): the LLM calls of
-- agentcost_llm_calls_in(from, to) that a report's standard filters keep, so that each dashboard query names its window
-- and filters in one line. service: the call's ServiceName; agent: its agent name or its role; model: its model (the
-- response model, else the request model); '*' keeps all.
-- Columns: those of agentcost_llm_calls_in.
-- Parameters: {database:Identifier} (the view's name); {from:DateTime64(9, 'UTC')}, {to:DateTime64(9, 'UTC')},
-- {service:String}, {agent:String} and {model:String} stay in the view as its own parameters. Fragment: on_cluster.
CREATE OR REPLACE VIEW {database:Identifier}.agentcost_selected_calls {{ on_cluster }} AS
SELECT *
FROM agentcost_llm_calls_in(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')})
WHERE ({service:String} = '*' OR ServiceName = {service:String})
    AND ({agent:String} = '*' OR agent = {agent:String} OR role = {agent:String})
    AND ({model:String} = '*' OR model = {model:String})
