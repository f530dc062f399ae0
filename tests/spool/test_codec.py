"""Spans through the spool's encoding and back: whatever the wrapped exporter is, it gets the span it would have
had. Checked by re-encoding (the OTLP bytes an OTLP exporter would send are identical) and by the `otel_traces`
rows the ClickHouse exporter would insert."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceFlags, TraceState

from otel_agentcost.spool.codec import decode_batch, encode_batch
from otel_agentcost.spool.errors import CorruptSegmentError
from otel_agentcost.store.spans import span_block


def varied_spans():
    recorder = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "pm-agent", "host.cores": 8}))
    provider.add_span_processor(SimpleSpanProcessor(recorder))
    remote = SpanContext(0xABC, 0xDEF, is_remote=True, trace_flags=TraceFlags(1),
                         trace_state=TraceState([("vendor", "value")]))  # fmt: skip
    parent = trace.set_span_in_context(trace.NonRecordingSpan(remote))
    tracer = provider.get_tracer("com.example.scope", "1.2.3")
    other = provider.get_tracer("other-scope")
    attributes = {"text": "ünïcode", "int": -7, "float": 0.25, "flag": True, "ints": [1, 2], "words": ["a", "b"]}
    with tracer.start_as_current_span("chat gpt-5", context=parent, kind=SpanKind.CLIENT, attributes=attributes,
                                      links=[Link(remote, {"why": "retry"})]) as span:  # fmt: skip
        span.add_event("gen_ai.choice", {"index": 0, "scores": [0.5, 1.5]}, timestamp=1_700_000_000_000_000_001)
        span.set_status(Status(StatusCode.ERROR, "rate limited"))
        with other.start_as_current_span("child", kind=SpanKind.INTERNAL) as child:
            child.set_status(Status(StatusCode.OK))
    return list(recorder.get_finished_spans())


def test_decoded_spans_encode_to_the_same_otlp_bytes_as_the_sdk_encoder_makes():
    spans = varied_spans()
    assert encode_spans(decode_batch(encode_batch(spans))) == encode_spans(spans)


def test_decoded_spans_make_the_same_otel_traces_rows():
    spans = varied_spans()
    decoded = decode_batch(encode_batch(spans))
    assert span_block(decoded).rows() == span_block(spans).rows()
    assert [span.parent.is_remote if span.parent else None for span in decoded] == [False, True]


def test_bytes_that_are_not_a_batch_are_refused():
    with pytest.raises(CorruptSegmentError, match="not an encoded span batch"):
        decode_batch(b"\xff\xff\xff\xff not protobuf")
