-- agentcost_outcomes: the outcome of each work unit, one row per unit. A unit is a task (agentcost.task.id), or a
-- session (agentcost.session.id, else gen_ai.conversation.id, else session.id) for outcomes recorded without a
-- task. Any span may carry agentcost.outcome (with agentcost.grade and agentcost.outcome.reason); when a unit has
-- several, the latest by `at` (the span's end: Timestamp + Duration) wins, whole (its grade and reason with it).
-- A task outcome is keyed by the task id alone, so a grader that reports only the task id still reaches the task.
-- Columns: unit_kind ('task' | 'session'), unit_id, session_id, task_id, outcome, grade (NULL when absent),
-- reason, at.
-- Reads the typed columns of otel_traces_columns.sql (outcomes of all time: a grader may report long after the work).
-- Parameters: {database:Identifier} (the view's name only). Fragment: on_cluster.
CREATE OR REPLACE VIEW {database:Identifier}.agentcost_outcomes {{ on_cluster }} AS
SELECT
    unit_kind,
    unit_id,
    latest.1 AS session_id,
    latest.2 AS task_id,
    latest.3 AS outcome,
    latest.4 AS grade,
    latest.5 AS reason,
    latest.6 AS at
FROM (
    SELECT
        unit_kind,
        unit_id,
        argMax(
            tuple(span_session_id, span_task_id, span_outcome, span_grade, span_reason, span_end), (span_end, SpanId)
        ) AS latest
    FROM (
        SELECT
            agentcost_session_id AS span_session_id,
            agentcost_task_id AS span_task_id,
            agentcost_outcome AS span_outcome,
            agentcost_grade AS span_grade,
            agentcost_outcome_reason AS span_reason,
            addNanoseconds(Timestamp, Duration) AS span_end,
            SpanId,
            if(span_task_id != '', 'task', 'session') AS unit_kind,
            if(span_task_id != '', span_task_id, span_session_id) AS unit_id
        FROM otel_traces
        WHERE agentcost_outcome != ''
    )
    WHERE unit_id != ''
    GROUP BY unit_kind, unit_id
)
