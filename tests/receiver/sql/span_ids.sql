-- Every stored span id, once per stored row (a span stored twice appears twice).
-- Parameters: none.
SELECT SpanId AS span_id
FROM otel_traces
