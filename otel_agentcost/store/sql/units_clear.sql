-- Empties agentcost_units before units_calls_backfill.sql and units_outcomes_backfill.sql refill it from otel_traces.
-- Parameters: {database:Identifier}. Fragment: on_cluster.
TRUNCATE TABLE IF EXISTS {database:Identifier}.agentcost_units {{ on_cluster }}
