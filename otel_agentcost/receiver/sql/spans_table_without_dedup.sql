-- Whether otel_traces is a plain MergeTree that keeps no deduplication window, so that it would store twice a journal
-- batch replayed after a crash between its insert and its deletion (Replicated and Shared engines deduplicate by
-- default; a plain MergeTree only with non_replicated_deduplication_window above 0). No row: no such table.
-- Parameters: {database:String}.
SELECT engine = 'MergeTree'
    AND NOT match(create_table_query, 'non_replicated_deduplication_window = [1-9]') AS without_dedup
FROM system.tables
WHERE database = {database:String} AND name = 'otel_traces'
