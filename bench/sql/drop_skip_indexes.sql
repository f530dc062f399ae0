-- The collector's skip indexes dropped from otel_traces, for bench/engine.py's "collector table, no skip indexes":
-- what those six indexes cost each insert. No parameters (otel_traces of the current database).
ALTER TABLE otel_traces
    DROP INDEX idx_trace_id,
    DROP INDEX idx_res_attr_key,
    DROP INDEX idx_res_attr_value,
    DROP INDEX idx_span_attr_key,
    DROP INDEX idx_span_attr_value,
    DROP INDEX idx_duration
