"""An OpenTelemetry SDK span as the `otel_traces` row the collector's `clickhouse` exporter would write for it.

The SDK's OTLP exporter and the collector between them turn a span into: its start time, the duration in ns,
pdata's enum names (`Client`, `Error`), lowercase hex ids with the all-zero id as '' (a root's parent), the W3C
trace state header, `service.name` from the resource, every attribute value as `AsString()` would write it, and
events and links as parallel arrays. Building the row the same way here makes the in-process path and the
collector path indistinguishable.
"""

from __future__ import annotations

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanContext, SpanKind
from opentelemetry.trace.span import TraceState

from otel_agentcost.store.columns import SPAN_KIND_NAMES, STATUS_CODE_NAMES, SpanRow
from otel_agentcost.store.values import attribute_map, attribute_string

# The API's SpanKind to the OTLP enum the collector names (the API has no UNSPECIFIED, so its values are off by one).
_OTLP_KIND = {
    SpanKind.INTERNAL: 1,
    SpanKind.SERVER: 2,
    SpanKind.CLIENT: 3,
    SpanKind.PRODUCER: 4,
    SpanKind.CONSUMER: 5,
}


def span_row(span: ReadableSpan) -> SpanRow:
    context = span.get_span_context()
    start = span.start_time or 0
    end = span.end_time or start
    resource_attributes = span.resource.attributes
    scope = span.instrumentation_scope
    events = span.events
    links = span.links
    return SpanRow(
        timestamp_ns=start,
        trace_id=_trace_id(context),
        span_id=_span_id(context),
        parent_span_id=_span_id(span.parent),
        trace_state=_trace_state(context),
        span_name=span.name,
        span_kind=SPAN_KIND_NAMES[_OTLP_KIND[span.kind]],
        service_name=attribute_string(resource_attributes["service.name"])
        if "service.name" in resource_attributes
        else "",
        resource_attributes=attribute_map(resource_attributes),
        scope_name=scope.name if scope else "",
        scope_version=(scope.version or "") if scope else "",
        span_attributes=attribute_map(span.attributes),
        duration_ns=max(end - start, 0),
        status_code=STATUS_CODE_NAMES[span.status.status_code.value],
        status_message=span.status.description or "",
        events_timestamp_ns=[event.timestamp for event in events],
        events_name=[event.name for event in events],
        events_attributes=[attribute_map(event.attributes) for event in events],
        links_trace_id=[_trace_id(link.context) for link in links],
        links_span_id=[_span_id(link.context) for link in links],
        links_trace_state=[_trace_state(link.context) for link in links],
        links_attributes=[attribute_map(link.attributes) for link in links],
    )


def _trace_id(context: SpanContext | None) -> str:
    return format(context.trace_id, "032x") if context is not None and context.trace_id else ""


def _span_id(context: SpanContext | None) -> str:
    return format(context.span_id, "016x") if context is not None and context.span_id else ""


def _trace_state(context: SpanContext | None) -> str:
    state: TraceState | None = context.trace_state if context is not None else None
    return state.to_header() if state else ""
