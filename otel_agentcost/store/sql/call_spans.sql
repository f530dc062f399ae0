-- agentcost_call_spans: agentcost_call_keys with its packed counters unpacked into named columns (call_keys.sql says
-- how they are packed), one row per call and day (all spans of a call meet under the day the last of them started
-- on): how many spans each LLM call has, and where. The views that trust the rollups (agentcost_work_units,
-- agentcost_session_groups) read it to find the calls whose spans a rollup may have counted in the wrong place.
-- Columns: day, call_key, spans, agentcost_spans (spans with agentcost.* attributes), unit_spans (spans in a work unit: a
-- task or a session), unit_agentcost_spans, session_spans (spans with a session), session_agentcost_spans.
-- Parameters: {database:Identifier} (the view's name only; its body reads the current database). Fragment: on_cluster.
CREATE OR REPLACE VIEW {database:Identifier}.agentcost_call_spans {{ on_cluster }} AS
WITH toUInt128(2097151) AS field  -- one 21-bit counter
SELECT
    day,
    call_key,
    bitAnd(counts, field) AS spans,
    bitAnd(bitShiftRight(counts, 21), field) AS agentcost_spans,
    bitAnd(bitShiftRight(counts, 42), field) AS unit_spans,
    bitAnd(bitShiftRight(counts, 63), field) AS unit_agentcost_spans,
    bitAnd(bitShiftRight(counts, 84), field) AS session_spans,
    bitAnd(bitShiftRight(counts, 105), field) AS session_agentcost_spans
FROM agentcost_call_keys FINAL
