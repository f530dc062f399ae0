-- The database that holds otel_traces and the agentcost objects (default `otel`, the collector exporter's choice
-- in collector-config/).
-- Parameters: {database:Identifier}. Fragment: on_cluster (empty, or ON CLUSTER <name>).
CREATE DATABASE IF NOT EXISTS {database:Identifier} {{ on_cluster }}
