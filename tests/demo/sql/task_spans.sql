-- Each task span with the time range of its child spans (the LLM calls made in the task), in ns since the epoch.
-- Parameters: none.
SELECT
    task.SpanAttributes['agentcost.task.id'] AS task_id,
    toUnixTimestamp64Nano(task.Timestamp) AS task_start_ns,
    toUnixTimestamp64Nano(task.Timestamp) + task.Duration AS task_end_ns,
    min(toUnixTimestamp64Nano(child.Timestamp)) AS first_child_start_ns,
    max(toUnixTimestamp64Nano(child.Timestamp) + child.Duration) AS last_child_end_ns,
    count() AS children
FROM otel_traces AS task
INNER JOIN otel_traces AS child ON child.TraceId = task.TraceId AND child.ParentSpanId = task.SpanId
WHERE task.SpanName LIKE 'task%' AND task.SpanAttributes['agentcost.task.id'] != ''
GROUP BY task_id, task_start_ns, task_end_ns
ORDER BY task_id
