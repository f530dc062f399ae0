-- agentcost_units_calls_mv: fills agentcost_units from every block inserted into otel_traces (the collector's
-- inserts too), with the rows of units_call_rows.sql. Created only when absent.
-- Parameters: {database:Identifier} (the view's and the table's names; the query reads otel_traces of the current
-- database). Fragments: on_cluster, units_call_rows (the text of units_call_rows.sql).
CREATE MATERIALIZED VIEW IF NOT EXISTS {database:Identifier}.agentcost_units_calls_mv {{ on_cluster }}
TO {database:Identifier}.agentcost_units
AS {{ units_call_rows }}
