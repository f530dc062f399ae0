-- agentcost_selected_units(from = ..., to = ..., service = ..., agent = ..., model = ...): the work units of
-- agentcost_work_units(from, to) that a report's standard filters keep. service: the unit's service; agent: its agent
-- name or its role; model: its model (the one most of its calls used); '*' keeps all.
-- Columns: those of agentcost_work_units.
-- Parameters: {database:Identifier} (the view's name); {from:DateTime64(9, 'UTC')}, {to:DateTime64(9, 'UTC')},
-- {service:String}, {agent:String} and {model:String} stay in the view as its own parameters. Fragment: on_cluster.
CREATE OR REPLACE VIEW {database:Identifier}.agentcost_selected_units {{ on_cluster }} AS
SELECT *
FROM agentcost_work_units(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')})
WHERE ({service:String} = '*' OR service = {service:String})
    AND ({agent:String} = '*' OR agent = {agent:String} OR role = {agent:String})
    AND ({model:String} = '*' OR model = {model:String})
