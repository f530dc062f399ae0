"""OpenTelemetry SDK spans as the `otel_traces` rows the collector's `clickhouse` exporter would write for them.

The SDK's OTLP exporter and the collector between them turn a span into: its start time, the duration in ns,
pdata's enum names (`Client`, `Error`), lowercase hex ids with the all-zero id as '' (a root's parent), the W3C
trace state header, `service.name` from the resource, every attribute value as `AsString()` would write it, and
events and links as parallel arrays. Building the row the same way here makes the in-process path and the
collector path indistinguishable.

This runs for every exported span, so the work that is the same for many spans is done once per batch: the
spans of a batch share a handful of resources and scopes, whose columns are computed once each, and the attribute
values are turned into strings in one pass over the whole block (store/block.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import Link, SpanContext, SpanKind, StatusCode

from otel_agentcost.store.block import SpanBlock
from otel_agentcost.store.columns import NO_EVENTS_OR_LINKS, SPAN_KIND_NAMES, STATUS_CODE_NAMES
from otel_agentcost.store.values import attribute_map, attribute_string

# The API's SpanKind to the name of the OTLP enum value the collector writes (the API has no UNSPECIFIED, so its
# values are off by one from OTLP's).
_KIND_NAMES = {
    SpanKind.INTERNAL: SPAN_KIND_NAMES[1],
    SpanKind.SERVER: SPAN_KIND_NAMES[2],
    SpanKind.CLIENT: SPAN_KIND_NAMES[3],
    SpanKind.PRODUCER: SPAN_KIND_NAMES[4],
    SpanKind.CONSUMER: SPAN_KIND_NAMES[5],
}
_STATUS_NAMES = {code: STATUS_CODE_NAMES[code.value] for code in StatusCode}

_ResourceColumns = tuple[str, dict[str, str]]  # ServiceName, ResourceAttributes
_ScopeColumns = tuple[str, str]  # ScopeName, ScopeVersion


def span_block(spans: Iterable[ReadableSpan]) -> SpanBlock:
    """The block of a batch of spans, computing each distinct resource's and scope's columns once."""
    resources: dict[int, _ResourceColumns] = {}
    scopes: dict[int, _ScopeColumns] = {}
    rows = []
    for span in spans:
        resource = span.resource
        resource_columns = resources.get(id(resource))
        if resource_columns is None:
            resource_columns = resources[id(resource)] = _resource_columns(resource)
        scope = span.instrumentation_scope
        scope_columns = scopes.get(id(scope))
        if scope_columns is None:
            scope_columns = scopes[id(scope)] = _scope_columns(scope)
        rows.append(_span_row(span, resource_columns, scope_columns))
    return SpanBlock.of_rows(rows)


def _span_row(span: ReadableSpan, resource: _ResourceColumns, scope: _ScopeColumns) -> tuple[Any, ...]:
    """The span's row in SpanRow's order, its attributes as the SDK holds them (SpanBlock makes them strings)."""
    context = span.context
    start = span.start_time or 0
    end = span.end_time or start
    status = span.status
    parent = span.parent
    state = context.trace_state
    events = _events(span)
    links = _links(span)
    nested = _nested(events, links) if events or links else NO_EVENTS_OR_LINKS
    return (
        start,
        # %-formatting: a third of format()'s time, on three ids of every span
        "%032x" % context.trace_id if context.trace_id else "",  # noqa: UP031
        "%016x" % context.span_id if context.span_id else "",  # noqa: UP031
        "%016x" % parent.span_id if parent is not None and parent.span_id else "",  # noqa: UP031
        state.to_header() if state else "",
        span.name,
        _KIND_NAMES[span.kind],
        *resource,
        *scope,
        _attributes(span),
        end - start if end > start else 0,
        _STATUS_NAMES[status.status_code],
        status.description or "",
        *nested,
    )


def _nested(events: Sequence[Event], links: Sequence[Link]) -> tuple[list[Any], ...]:
    """The Events and Links columns: parallel arrays, as ClickHouse stores Nested."""
    return (
        [event.timestamp for event in events],
        [event.name for event in events],
        [attribute_map(event.attributes) for event in events],
        [_trace_id(link.context) for link in links],
        [_span_id(link.context) for link in links],
        [_trace_state(link.context) for link in links],
        [attribute_map(link.attributes) for link in links],
    )


def _events(span: ReadableSpan) -> Sequence[Event]:
    """The public `events` copies the SDK's list under a lock, even when empty, as most spans' lists are."""
    held = getattr(span, "_events", None)
    return span.events if held is None or len(held) else ()


def _links(span: ReadableSpan) -> Sequence[Link]:
    held = getattr(span, "_links", None)
    return span.links if held is None or len(held) else ()


def _attributes(span: ReadableSpan) -> Mapping[str, Any]:
    """The span's attributes as the plain dict the SDK keeps them in, when it does.

    The public `attributes` is a read-only proxy over a BoundedAttributes, whose items() goes through the Mapping
    ABC one key at a time: several times slower than the dict inside it, for the same items in the same order.
    """
    held = getattr(span, "_attributes", None)
    plain = getattr(held, "_dict", held)
    return plain if type(plain) is dict else span.attributes


def _resource_columns(resource: Resource) -> _ResourceColumns:
    attributes = resource.attributes
    service = attribute_string(attributes["service.name"]) if "service.name" in attributes else ""
    return service, attribute_map(attributes)


def _scope_columns(scope: InstrumentationScope | None) -> _ScopeColumns:
    return (scope.name, scope.version or "") if scope is not None else ("", "")


def _trace_id(context: SpanContext | None) -> str:
    return "%032x" % context.trace_id if context is not None and context.trace_id else ""  # noqa: UP031


def _span_id(context: SpanContext | None) -> str:
    return "%016x" % context.span_id if context is not None and context.span_id else ""  # noqa: UP031


def _trace_state(context: SpanContext | None) -> str:
    state = context.trace_state if context is not None else None
    return state.to_header() if state else ""
