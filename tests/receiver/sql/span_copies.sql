-- How many times each span id is stored (1 for every span when none is stored twice).
-- Parameters: none.
SELECT SpanId AS span_id, count() AS copies
FROM otel_traces
GROUP BY SpanId
