-- How many spans otel_traces holds, and how many distinct span ids among them (equal when none is stored twice).
-- Parameters: none.
SELECT count() AS spans, uniqExact(SpanId) AS distinct_span_ids
FROM otel_traces
