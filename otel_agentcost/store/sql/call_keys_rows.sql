-- The rows of agentcost_call_keys for the LLM call spans of otel_traces (call_keys.sql says what they count): the
-- query of call_keys_mv.sql (run on every inserted block) and of call_keys_backfill.sql (the spans stored before).
-- A span is in a work unit when it has a task or a session (work_units.sql).
-- Columns: day, call_key, counts. No parameters (reads otel_traces of the current database).
WITH agentcost_task_id != '' OR agentcost_session_id != '' AS in_unit
SELECT
    day,
    agentcost_call_key AS call_key,
    toUInt128(1)
        + bitShiftLeft(toUInt128(agentcost_has_agentcost), 21)
        + bitShiftLeft(toUInt128(in_unit), 42)
        + bitShiftLeft(toUInt128(in_unit AND agentcost_has_agentcost), 63)
        + bitShiftLeft(toUInt128(agentcost_session_id != ''), 84)
        + bitShiftLeft(toUInt128(agentcost_session_id != '' AND agentcost_has_agentcost), 105) AS counts
FROM otel_traces
ARRAY JOIN arrayMap(
    offset -> addDays(toDate(Timestamp), offset),
    range(toUInt32(least(
        greatest(dateDiff('day', toDate(Timestamp), toDate(addNanoseconds(Timestamp, Duration))), 0),
        31
    )) + 1)
) AS day
WHERE agentcost_llm_call
