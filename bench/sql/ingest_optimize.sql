-- Merge otel_traces' parts into one per partition, as background merges do over time, so that its size is measured
-- as it settles rather than as many small freshly inserted parts. No parameters.
OPTIMIZE TABLE otel_traces FINAL
