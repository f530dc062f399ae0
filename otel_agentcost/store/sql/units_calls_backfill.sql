-- Fills agentcost_units with the calls otel_traces holds (after units_clear.sql emptied it), as call_keys_backfill.sql
-- does for the ledger (spans counted twice meanwhile are found by it, and counted exactly).
-- Parameters: {database:Identifier}. Fragment: units_call_rows (the text of units_call_rows.sql).
INSERT INTO {database:Identifier}.agentcost_units (
    unit_kind, unit_id, first_call_at, last_call_at, last_seen_at, calls, heartbeat_calls, input_tokens, output_tokens,
    cache_read_tokens, cache_write_tokens, reasoning_tokens, inherited_tokens, foreign_tokens, models, session_id,
    task_kind, service, role, lane, agent
)
{{ units_call_rows }}
