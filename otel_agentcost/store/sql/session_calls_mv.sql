-- agentcost_session_calls_mv: fills agentcost_session_calls from every block inserted into otel_traces (the
-- collector's inserts too), with the rows of session_call_rows.sql. Created only when absent.
-- Parameters: {database:Identifier} (the view's and the table's names; the query reads otel_traces of the current
-- database). Fragments: on_cluster, session_call_rows (the text of session_call_rows.sql).
CREATE MATERIALIZED VIEW IF NOT EXISTS {database:Identifier}.agentcost_session_calls_mv {{ on_cluster }}
TO {database:Identifier}.agentcost_session_calls
AS {{ session_call_rows }}
