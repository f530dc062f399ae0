-- Merge a rollup table's parts into one per partition (as its background merges do once inserts pause), so that the
-- query benchmark measures a settled store, as it does for otel_traces.
-- Parameters: {table:Identifier} (agentcost_call_keys, agentcost_units or agentcost_session_calls).
OPTIMIZE TABLE {table:Identifier} FINAL
