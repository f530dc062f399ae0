-- Fills agentcost_session_calls with the calls otel_traces holds (after session_calls_clear.sql emptied it), as
-- call_keys_backfill.sql does for the ledger (spans counted twice meanwhile are found by it, and counted exactly).
-- Parameters: {database:Identifier}. Fragment: session_call_rows (the text of session_call_rows.sql).
INSERT INTO {database:Identifier}.agentcost_session_calls (
    session_id, service, agent, role, model, heartbeat, first_call_at, last_call_at, calls, input_tokens, output_tokens,
    table_calls, table_uncached_input_tokens, table_cache_read_tokens, table_cache_write_tokens, table_output_tokens,
    fallback_calls, fallback_usd, span_usd, beat_starts
)
{{ session_call_rows }}
