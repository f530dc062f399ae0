-- Empties agentcost_call_keys before call_keys_backfill.sql refills it from otel_traces.
-- Parameters: {database:Identifier}. Fragment: on_cluster.
TRUNCATE TABLE IF EXISTS {database:Identifier}.agentcost_call_keys {{ on_cluster }}
