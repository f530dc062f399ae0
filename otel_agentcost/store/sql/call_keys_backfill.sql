-- Fills agentcost_call_keys from the spans otel_traces holds (after call_keys_clear.sql emptied it): `db init` runs it
-- when it installs the rollups on a store that has spans already, and `db init --materialize` to rebuild them. Spans
-- that arrive meanwhile may be counted twice, here and by the materialized view: the ledger then shows them as calls
-- with two spans, so the views count them exactly, from otel_traces.
-- Parameters: {database:Identifier}. Fragment: call_keys_rows (the text of call_keys_rows.sql).
INSERT INTO {database:Identifier}.agentcost_call_keys (day, call_key, counts)
{{ call_keys_rows }}
