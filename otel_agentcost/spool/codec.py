"""Spans as bytes for the spool, and back: the OTLP protobuf encoding, so that any exporter's spans round-trip.

The spool holds spans for whichever exporter it wraps (OTLP over HTTP or gRPC, the in-process ClickHouse exporter),
so it keeps them in the one format that carries everything an SDK span has: the ExportTraceServiceRequest that the
OTLP exporters send, built by the SDK's own encoder. Decoding rebuilds `ReadableSpan`s for the wrapped exporter.
The encoder keeps no trace flags (a span reaches an exporter only when sampled), so decoded spans are sampled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from google.protobuf.message import DecodeError
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, InstrumentationScope, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, SpanFlags
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.util import BoundedList
from opentelemetry.sdk.util.instrumentation import InstrumentationScope as SdkScope
from opentelemetry.trace import Link, SpanContext, SpanKind, TraceFlags, TraceState
from opentelemetry.trace.status import Status as SdkStatus
from opentelemetry.trace.status import StatusCode
from opentelemetry.util.types import Attributes

from otel_agentcost.spool.errors import CorruptSegmentError

_KINDS = {
    Span.SpanKind.SPAN_KIND_INTERNAL: SpanKind.INTERNAL,
    Span.SpanKind.SPAN_KIND_SERVER: SpanKind.SERVER,
    Span.SpanKind.SPAN_KIND_CLIENT: SpanKind.CLIENT,
    Span.SpanKind.SPAN_KIND_PRODUCER: SpanKind.PRODUCER,
    Span.SpanKind.SPAN_KIND_CONSUMER: SpanKind.CONSUMER,
}
_STATUS_CODES = {code.value: code for code in StatusCode}


def encode_batch(spans: Sequence[ReadableSpan]) -> bytes:
    request = encode_spans(spans)
    _add_link_trace_states(request, spans)
    return request.SerializeToString()


def decode_batch(data: bytes) -> list[ReadableSpan]:
    """The spans of one encoded batch; `CorruptSegmentError` when the bytes are not one."""
    request = ExportTraceServiceRequest()
    try:
        request.ParseFromString(data)
        return [
            _span(span, resource, scope_spans.scope)
            for resource_spans in request.resource_spans
            for resource in (Resource(_attributes(resource_spans.resource.attributes), resource_spans.schema_url),)
            for scope_spans in resource_spans.scope_spans
            for span in scope_spans.spans
        ]
    except (DecodeError, RecursionError, KeyError, ValueError) as error:
        raise CorruptSegmentError(f"not an encoded span batch: {error}") from None


def _add_link_trace_states(request: ExportTraceServiceRequest, spans: Sequence[ReadableSpan]) -> None:
    """The SDK's encoder leaves a link's trace state out; the ClickHouse exporter stores it (`Links.TraceState`)."""
    states = {
        span.context.span_id: [link.context.trace_state for link in span.links]
        for span in spans
        if span.context is not None and any(link.context.trace_state for link in span.links)
    }
    if not states:
        return
    for resource_spans in request.resource_spans:
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                for link, state in zip(span.links, states.get(int.from_bytes(span.span_id, "big"), ()), strict=False):
                    link.trace_state = state.to_header() if state else ""


def _span(span: Span, resource: Resource, scope: InstrumentationScope) -> ReadableSpan:
    trace_id = int.from_bytes(span.trace_id, "big")
    parent = None
    if span.parent_span_id:
        remote = bool(span.flags & SpanFlags.SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK)
        parent = _context(trace_id, span.parent_span_id, remote)
    return ReadableSpan(
        name=span.name,
        context=_context(trace_id, span.span_id, False, span.trace_state),
        parent=parent,
        resource=resource,
        attributes=_attributes(span.attributes),
        events=_counted([_event(event) for event in span.events], span.dropped_events_count),
        links=_counted([_link(link) for link in span.links], span.dropped_links_count),
        kind=_KINDS[span.kind],
        status=SdkStatus(_STATUS_CODES[span.status.code], span.status.message or None),
        start_time=span.start_time_unix_nano,
        end_time=span.end_time_unix_nano,
        instrumentation_scope=SdkScope(scope.name, scope.version or None, None, _attributes(scope.attributes)),
    )


def _context(trace_id: int, span_id: bytes, remote: bool, trace_state: str = "") -> SpanContext:
    state = TraceState.from_header([trace_state]) if trace_state else None
    return SpanContext(trace_id, int.from_bytes(span_id, "big"), remote, TraceFlags(TraceFlags.SAMPLED), state)


def _event(event: Span.Event) -> Event:
    return Event(event.name, _attributes(event.attributes), event.time_unix_nano)


def _link(link: Span.Link) -> Link:
    remote = bool(link.flags & SpanFlags.SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK)
    context = _context(int.from_bytes(link.trace_id, "big"), link.span_id, remote, link.trace_state)
    return Link(context, _attributes(link.attributes))


def _counted(items: list[Any], dropped: int) -> BoundedList:
    """The list with the count of items the SDK dropped for limits, which the wrapped exporter reports on."""
    bounded = BoundedList.from_seq(None, items)
    bounded.dropped = dropped
    return bounded


def _attributes(pairs: Sequence[KeyValue]) -> Attributes:
    return {pair.key: _value(pair.value) for pair in pairs}


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return tuple(_value(item) for item in value.array_value.values)
    if kind == "kvlist_value":
        return {pair.key: _value(pair.value) for pair in value.kvlist_value.values}
    return getattr(value, kind)
