-- The rows of agentcost_units for outcome spans of otel_traces (any span with agentcost.outcome), one per work unit:
-- the latest by end (Timestamp + Duration), then SpanId, as outcomes.sql says; a task's outcome is keyed by the task
-- id alone, a session's (no task on the span) by the session. The query of units_outcomes_mv.sql and of
-- units_outcomes_backfill.sql.
-- Columns: unit_kind, unit_id, last_seen_at, outcome. No parameters (reads otel_traces of the current database).
WITH
    if(agentcost_task_id != '', 'task', 'session') AS kind,
    if(agentcost_task_id != '', agentcost_task_id, agentcost_session_id) AS id
SELECT
    kind AS unit_kind,
    id AS unit_id,
    max(Timestamp) AS last_seen_at,
    max((
        addNanoseconds(Timestamp, Duration), SpanId, toString(agentcost_outcome), agentcost_grade,
        agentcost_outcome_reason
    )) AS outcome
FROM otel_traces
WHERE agentcost_outcome != '' AND id != ''
GROUP BY unit_kind, unit_id
