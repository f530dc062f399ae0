-- The otel_traces rows of one trace, every insert column, named as SpanRow's fields so a row reads back as a
-- SpanRow. Timestamps as integer nanoseconds (DateTime64(9) values would lose digits as Python datetimes).
-- Parameters: trace_id String.
SELECT
    toUnixTimestamp64Nano(Timestamp) AS timestamp_ns,
    TraceId AS trace_id,
    SpanId AS span_id,
    ParentSpanId AS parent_span_id,
    TraceState AS trace_state,
    SpanName AS span_name,
    SpanKind AS span_kind,
    ServiceName AS service_name,
    ResourceAttributes AS resource_attributes,
    ScopeName AS scope_name,
    ScopeVersion AS scope_version,
    SpanAttributes AS span_attributes,
    Duration AS duration_ns,
    StatusCode AS status_code,
    StatusMessage AS status_message,
    arrayMap(t -> toUnixTimestamp64Nano(t), Events.Timestamp) AS events_timestamp_ns,
    Events.Name AS events_name,
    Events.Attributes AS events_attributes,
    Links.TraceId AS links_trace_id,
    Links.SpanId AS links_span_id,
    Links.TraceState AS links_trace_state,
    Links.Attributes AS links_attributes
FROM otel_traces
WHERE TraceId = {trace_id:String}
ORDER BY SpanName, SpanId
