"""The row shape of `otel_traces`, exactly as the OpenTelemetry Collector's `clickhouse` exporter inserts it.

Every writer in this project (the in-process exporter, the OTLP receiver) builds `SpanRow`s, so that data written by
the real collector and data written here are indistinguishable to every query. Nested columns (`Events`, `Links`)
are inserted as their flattened parallel arrays, which is how ClickHouse stores `Nested` by default.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class SpanRow(NamedTuple):
    timestamp_ns: int  # span start, ns since the epoch (DateTime64(9))
    trace_id: str  # 32 lowercase hex digits
    span_id: str  # 16 lowercase hex digits
    parent_span_id: str  # '' for a root span
    trace_state: str
    span_name: str
    span_kind: str  # Client, Server, Internal, Producer, Consumer, Unspecified
    service_name: str  # resource attribute service.name, '' when absent
    resource_attributes: dict[str, str]
    scope_name: str
    scope_version: str
    span_attributes: dict[str, str]
    duration_ns: int
    status_code: str  # Unset, Ok, Error
    status_message: str
    events_timestamp_ns: list[int]
    events_name: list[str]
    events_attributes: list[dict[str, str]]
    links_trace_id: list[str]
    links_span_id: list[str]
    links_trace_state: list[str]
    links_attributes: list[dict[str, str]]


# The Events and Links columns of a span that has neither (most spans): seven references to one empty list, shared by
# every such row, so that a batch does not make fourteen thousand empty lists for the garbage collector to track.
# Rows are never mutated.
_EMPTY: list[Any] = []
NO_EVENTS_OR_LINKS: tuple[list[Any], ...] = (_EMPTY,) * 7

# Column names in `SpanRow` order, for INSERT statements.
INSERT_COLUMNS: tuple[str, ...] = (
    "Timestamp",
    "TraceId",
    "SpanId",
    "ParentSpanId",
    "TraceState",
    "SpanName",
    "SpanKind",
    "ServiceName",
    "ResourceAttributes",
    "ScopeName",
    "ScopeVersion",
    "SpanAttributes",
    "Duration",
    "StatusCode",
    "StatusMessage",
    "Events.Timestamp",
    "Events.Name",
    "Events.Attributes",
    "Links.TraceId",
    "Links.SpanId",
    "Links.TraceState",
    "Links.Attributes",
)

# The collector's strings for the OTLP enum values (pdata's SpanKind.String() / StatusCode.String() without prefix).
SPAN_KIND_NAMES: dict[int, str] = {
    0: "Unspecified",
    1: "Internal",
    2: "Server",
    3: "Client",
    4: "Producer",
    5: "Consumer",
}
STATUS_CODE_NAMES: dict[int, str] = {0: "Unset", 1: "Ok", 2: "Error"}

# ClickHouse types of INSERT_COLUMNS, as the collector's `otel_traces` declares them. Inserts send them along so
# that no DESCRIBE round trip precedes each batch.
_ATTRIBUTES = "Map(LowCardinality(String), String)"
INSERT_TYPES: tuple[str, ...] = (
    "DateTime64(9)",
    "String",
    "String",
    "String",
    "String",
    "LowCardinality(String)",
    "LowCardinality(String)",
    "LowCardinality(String)",
    _ATTRIBUTES,
    "String",
    "String",
    _ATTRIBUTES,
    "UInt64",
    "LowCardinality(String)",
    "String",
    "Array(DateTime64(9))",
    "Array(LowCardinality(String))",
    f"Array({_ATTRIBUTES})",
    "Array(String)",
    "Array(String)",
    "Array(String)",
    f"Array({_ATTRIBUTES})",
)
