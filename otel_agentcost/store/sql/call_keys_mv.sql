-- agentcost_call_keys_mv: fills agentcost_call_keys from every block inserted into otel_traces (the collector's
-- inserts too), with the rows of call_keys_rows.sql. Created only when absent.
-- Parameters: {database:Identifier} (the view's and the table's names; the query reads otel_traces of the current
-- database). Fragments: on_cluster, call_keys_rows (the text of call_keys_rows.sql).
CREATE MATERIALIZED VIEW IF NOT EXISTS {database:Identifier}.agentcost_call_keys_mv {{ on_cluster }}
TO {database:Identifier}.agentcost_call_keys
AS {{ call_keys_rows }}
