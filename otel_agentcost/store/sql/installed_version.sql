-- The newest schema version `db init` recorded in agentcost_schema; installs = 0 before the first init.
-- Parameters: {database:Identifier}.
SELECT max(version) AS version, count() AS installs FROM {database:Identifier}.agentcost_schema
