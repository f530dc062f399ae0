-- The embedded store's span insert: a SpanBlock's Arrow table (store/arrow.py) handed to chDB in memory through its
-- Python() table function, which reads the variable `spans` of the Python code that runs this statement (the
-- driver's insert_arrow writes the table to a temporary file for the engine to read back instead: a quarter more
-- of the engine's time per span).
-- Settings: synchronous, so that an acknowledged insert is stored with its deduplication token ('' for none: the
-- block's hash deduplicates it then); no merging of the rollups' rows within the block at insert time (the
-- materialized views have grouped them already, merges and FINAL combine the rest).
-- Parameters: {database:Identifier}, {token:String}.
INSERT INTO {database:Identifier}.otel_traces (
    Timestamp,
    TraceId,
    SpanId,
    ParentSpanId,
    TraceState,
    SpanName,
    SpanKind,
    ServiceName,
    ResourceAttributes,
    ScopeName,
    ScopeVersion,
    SpanAttributes,
    Duration,
    StatusCode,
    StatusMessage,
    `Events.Timestamp`,
    `Events.Name`,
    `Events.Attributes`,
    `Links.TraceId`,
    `Links.SpanId`,
    `Links.TraceState`,
    `Links.Attributes`
)
SETTINGS async_insert = 0, insert_deduplication_token = {token:String}, optimize_on_insert = 0
SELECT * FROM Python(spans)
