-- Empties agentcost_session_calls before session_calls_backfill.sql refills it from otel_traces.
-- Parameters: {database:Identifier}. Fragment: on_cluster.
TRUNCATE TABLE IF EXISTS {database:Identifier}.agentcost_session_calls {{ on_cluster }}
