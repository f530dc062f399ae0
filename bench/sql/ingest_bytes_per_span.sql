-- The size of otel_traces: its rows, and its active parts' compressed and uncompressed bytes per row (span).
-- Parameters: {database:String}, the database holding otel_traces.
SELECT
    sum(parts.rows) AS rows,
    sum(parts.data_compressed_bytes) / sum(parts.rows) AS bytes_per_span,
    sum(parts.data_uncompressed_bytes) / sum(parts.rows) AS uncompressed_bytes_per_span
FROM system.parts AS parts
WHERE parts.database = {database:String} AND parts.table = 'otel_traces' AND parts.active
