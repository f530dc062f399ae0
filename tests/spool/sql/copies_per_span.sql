-- How many rows otel_traces holds for each span id (a span stored exactly once has 1).
-- Parameters: none.
SELECT SpanId AS span_id, count() AS copies
FROM otel_traces
GROUP BY SpanId
