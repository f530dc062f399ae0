-- Empties agentcost_prices before `db init` loads the current price table into it.
-- Parameters: {database:Identifier}. Fragment: on_cluster.
TRUNCATE TABLE IF EXISTS {database:Identifier}.agentcost_prices {{ on_cluster }}
