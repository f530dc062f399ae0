"""span_block: SDK spans as the collector's rows, checked against the other path a span can take (the SDK's OTLP
encoder, then this project's OTLP receiver), which must give the very same row."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, NonRecordingSpan, SpanContext, SpanKind, Status, StatusCode, TraceFlags
from opentelemetry.trace.span import TraceState

from otel_agentcost.receiver.otlp import decode_protobuf
from otel_agentcost.store.spans import span_block


def finished_spans(resource: Resource | None = None, scope_version: str | None = "2.0"):
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=resource or Resource({"service.name": "coder", "pool": ["a", "b"]}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("agent.scope", scope_version)
    sampled = TraceFlags(TraceFlags.SAMPLED)
    parent = NonRecordingSpan(SpanContext(0x1F, 0x2E, True, trace_flags=sampled, trace_state=TraceState([("k", "v")])))
    with tracer.start_as_current_span("root", kind=SpanKind.SERVER) as root:
        for kind in (SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER, SpanKind.INTERNAL):
            with tracer.start_as_current_span(f"child {kind.name}", kind=kind, links=[Link(root.get_span_context())]):
                pass
    child = tracer.start_span("remote child", context=trace.set_span_in_context(parent), attributes={"n": 1.25})
    child.add_event("retry", {"attempt": 3, "ok": False})
    child.set_status(Status(StatusCode.OK))
    child.end()
    provider.shutdown()
    return exporter.get_finished_spans()


def span_row(span: ReadableSpan):
    (row,) = span_block([span]).rows()
    return row


def test_span_kinds_are_named_as_pdata_names_them():
    kinds = {span.name: span_row(span).span_kind for span in finished_spans()}
    assert kinds == {
        "root": "Server",
        "child CLIENT": "Client",
        "child PRODUCER": "Producer",
        "child CONSUMER": "Consumer",
        "child INTERNAL": "Internal",
        "remote child": "Internal",
    }


def test_ids_are_lowercase_hex_and_a_root_has_no_parent():
    rows = {span.name: span_row(span) for span in finished_spans()}
    root, child = rows["root"], rows["child CLIENT"]
    assert root.parent_span_id == ""
    assert child.parent_span_id == root.span_id
    assert child.links_span_id == [root.span_id]
    assert child.links_trace_id == [root.trace_id]
    assert rows["remote child"].trace_id == "0000000000000000000000000000001f"
    assert rows["remote child"].parent_span_id == "000000000000002e"
    assert rows["remote child"].trace_state == "k=v"


def test_a_span_without_a_service_name_or_scope_version_stores_empty_strings():
    (span, *_) = finished_spans(resource=Resource({"team": "x"}), scope_version=None)
    row = span_row(span)
    assert (row.service_name, row.scope_version, row.scope_name) == ("", "", "agent.scope")


def test_the_row_equals_what_the_otlp_receiver_makes_of_the_same_spans():
    spans = finished_spans()
    received = decode_protobuf(encode_spans(spans).SerializeToString())
    assert received.rejected == []
    assert sorted(received.block.rows()) == sorted(span_row(span) for span in spans)


@pytest.mark.parametrize("status", [StatusCode.UNSET, StatusCode.OK, StatusCode.ERROR])
def test_status_codes_are_named_as_pdata_names_them(status):
    provider = TracerProvider()
    span = provider.get_tracer("t").start_span("s")
    span.set_status(Status(status))
    span.end()
    assert span_row(span).status_code == {"UNSET": "Unset", "OK": "Ok", "ERROR": "Error"}[status.name]


def test_a_batch_mixing_resources_and_scopes_gives_each_span_its_own():
    first = finished_spans(Resource({"service.name": "coder"}), scope_version="1")
    second = finished_spans(Resource({"service.name": "reviewer", "team": "x"}), scope_version=None)
    mixed = [span for pair in zip(first, second, strict=True) for span in pair]
    rows = span_block(mixed).rows()
    assert rows == [span_row(span) for span in mixed]
    assert [(row.service_name, row.scope_version) for row in rows[:2]] == [("coder", "1"), ("reviewer", "")]
    assert rows[1].resource_attributes == {"service.name": "reviewer", "team": "x"}


def test_a_span_built_by_hand_with_plain_attributes_events_and_links_converts_alike():
    """Spans that other SDK code builds directly hold plain dicts and tuples, not the SDK's bounded containers."""
    context = SpanContext(0x1F, 0x2E, False)
    span = ReadableSpan(
        name="by hand",
        context=context,
        attributes={"n": 1, "ok": True},
        events=(Event("e", {"i": 2}, timestamp=5),),
        links=(Link(context, {"k": "v"}),),
        kind=SpanKind.CLIENT,
        resource=Resource({"service.name": "svc"}),
        start_time=3,
        end_time=9,
    )
    row = span_row(span)
    assert (row.span_attributes, row.duration_ns, row.span_kind) == ({"n": "1", "ok": "true"}, 6, "Client")
    assert (row.events_timestamp_ns, row.events_name, row.events_attributes) == ([5], ["e"], [{"i": "2"}])
    assert (row.links_span_id, row.links_attributes) == (["000000000000002e"], [{"k": "v"}])
