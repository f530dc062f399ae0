-- agentcost_llm_calls: one row per LLM call of all time, with typed columns, from the spans of any instrumentation:
-- agentcost_llm_calls_in (which says what a call is, how two instrumentations' spans of one call count once, and how
-- the cost is found) over every time a DateTime64(9) can hold. Reports read agentcost_llm_calls_in with their window
-- instead, so that they read only the window's spans.
-- Columns: those of agentcost_llm_calls_in.
-- Parameters: {database:Identifier} (the view's name only; its body reads tables of the current database).
-- Fragment: on_cluster.
CREATE OR REPLACE VIEW {database:Identifier}.agentcost_llm_calls {{ on_cluster }} AS
SELECT *
FROM agentcost_llm_calls_in(from = '1970-01-01 00:00:00', to = '2262-04-11 00:00:00')
