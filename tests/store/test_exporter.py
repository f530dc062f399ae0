"""Round trip: spans from the real OpenTelemetry SDK -> ClickHouseSpanExporter -> ClickHouse (chDB, directly and
over the HTTP interface) -> SELECT, every column as the collector's `clickhouse` exporter writes it.

The expected values are written out by hand from the collector's conventions (pdata's enum names, `AsString()` of
each value type, hex ids, nanosecond times), not computed by the code under test.
"""

from __future__ import annotations

import importlib.metadata
import logging

import pytest
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.trace import Link, NonRecordingSpan, SpanContext, SpanKind, Status, StatusCode, TraceFlags
from opentelemetry.trace.span import TraceState

from otel_agentcost.store import StoreURLError
from otel_agentcost.store.exporter import ClickHouseSpanExporter

START = 1_767_225_600_123_456_789  # 2026-01-01T00:00:00.123456789Z
TRACE_ID = 0x4BF92F3577B34DA6A3CE929D0E0E4736
REMOTE_PARENT = 0x00F067AA0BA902B7
LINKED_TRACE = 0x0AF7651916CD43DD8448EB211C80319C
LINKED_SPAN = 0xB7AD6B7169203331

ROW_SQL = """
SELECT
    toUnixTimestamp64Nano(Timestamp) AS start_ns,
    TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName, ResourceAttributes,
    ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage,
    arrayMap(t -> toUnixTimestamp64Nano(t), Events.Timestamp) AS event_ns,
    Events.Name, Events.Attributes, Links.TraceId, Links.SpanId, Links.TraceState, Links.Attributes
FROM otel_traces
WHERE SpanName = {name:String}
"""


@pytest.fixture(scope="module")
def exported(store):
    """An LLM call span with every attribute value type, an event, a link and an error status, under a remote parent
    with a trace state, and a root span, all exported through the SDK into a store with no schema yet."""
    exporter = ClickHouseSpanExporter(store)
    provider = TracerProvider(
        resource=Resource({"service.name": "pm-agent", "deployment.replicas": 3, "host.arch": "amd64"})
    )
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("otel_agentcost.test", "1.2.3")
    remote_parent = SpanContext(
        TRACE_ID,
        REMOTE_PARENT,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
        trace_state=TraceState([("rojo", "00f067aa0ba902b7"), ("congo", "t61rcWkgMzE")]),
    )
    link = Link(
        SpanContext(LINKED_TRACE, LINKED_SPAN, is_remote=True, trace_state=TraceState([("vendor", "v1")])),
        {"link.kind": "retry_of", "attempt": 2},
    )
    call = tracer.start_span(
        "chat gpt-4o",
        context=trace.set_span_in_context(NonRecordingSpan(remote_parent)),
        kind=SpanKind.CLIENT,
        links=[link],
        start_time=START,
    )
    call.set_attributes(
        {
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.usage.input_tokens": 1200,
            "negative": -7,
            "ratio": 1.5,
            "whole_float": 2.0,
            "tiny": 1e-7,
            "huge": 1e21,
            "stream": True,
            "cached": False,
            "finish_reasons": ["stop", "<tool>"],
            "ids": [1, 2, 3],
            "scores": [1.5, 2.0],
            "flags": [True, False],
            "unicode": "é✓",
        }
    )
    call.add_event("gen_ai.choice", {"index": 0, "finish_reason": "stop"}, timestamp=START + 900)
    call.set_status(Status(StatusCode.ERROR, "rate limited"))
    call.end(end_time=START + 250_000_000)
    root = tracer.start_span("agent turn", start_time=START - 1_000)
    root.end(end_time=START + 300_000_000)
    provider.shutdown()
    return exporter


def row(store, name):
    (found,) = store.query(ROW_SQL, {"name": name})
    return found


def test_every_column_of_an_llm_call_span_is_what_the_collector_writes(store, exported):
    stored = row(store, "chat gpt-4o")
    assert stored["start_ns"] == START
    assert stored["TraceId"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert len(stored["SpanId"]) == 16 and stored["SpanId"] == stored["SpanId"].lower()
    assert stored["ParentSpanId"] == "00f067aa0ba902b7"
    assert stored["TraceState"] == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"
    assert stored["SpanName"] == "chat gpt-4o"
    assert stored["SpanKind"] == "Client"
    assert stored["ServiceName"] == "pm-agent"
    assert stored["ResourceAttributes"] == {
        "service.name": "pm-agent",
        "deployment.replicas": "3",
        "host.arch": "amd64",
    }
    assert stored["ScopeName"] == "otel_agentcost.test"
    assert stored["ScopeVersion"] == "1.2.3"
    assert stored["SpanAttributes"] == {
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": "1200",
        "negative": "-7",
        "ratio": "1.5",
        "whole_float": "2",
        "tiny": "1e-7",
        "huge": "1e+21",
        "stream": "true",
        "cached": "false",
        "finish_reasons": '["stop","\\u003ctool\\u003e"]',
        "ids": "[1,2,3]",
        "scores": "[1.5,2]",
        "flags": "[true,false]",
        "unicode": "é✓",
    }
    assert stored["Duration"] == 250_000_000
    assert stored["StatusCode"] == "Error"
    assert stored["StatusMessage"] == "rate limited"
    assert stored["event_ns"] == [START + 900]
    assert stored["Events.Name"] == ["gen_ai.choice"]
    assert stored["Events.Attributes"] == [{"index": "0", "finish_reason": "stop"}]
    assert stored["Links.TraceId"] == ["0af7651916cd43dd8448eb211c80319c"]
    assert stored["Links.SpanId"] == ["b7ad6b7169203331"]
    assert stored["Links.TraceState"] == ["vendor=v1"]
    assert stored["Links.Attributes"] == [{"link.kind": "retry_of", "attempt": "2"}]


def test_a_root_span_has_an_empty_parent_unset_status_and_empty_events_and_links(store, exported):
    stored = row(store, "agent turn")
    assert stored["start_ns"] == START - 1_000
    assert stored["ParentSpanId"] == ""
    assert stored["TraceState"] == ""
    assert stored["SpanKind"] == "Internal"
    assert stored["SpanAttributes"] == {}
    assert stored["Duration"] == 300_001_000
    assert (stored["StatusCode"], stored["StatusMessage"]) == ("Unset", "")
    assert stored["event_ns"] == stored["Events.Name"] == stored["Links.TraceId"] == []


def test_the_first_export_created_the_schema_so_the_call_is_an_llm_call(store, exported):
    (call,) = store.query("SELECT model, input_tokens, is_error FROM agentcost_llm_calls")
    assert call == {"model": "gpt-4o", "input_tokens": 1200, "is_error": True}


def test_shutdown_leaves_a_store_it_was_given_open_and_refuses_later_spans(store, exported):
    assert exported.export([]) == SpanExportResult.FAILURE
    assert store.query("SELECT count() AS n FROM otel_traces") == [{"n": 2}]


def test_a_failing_store_makes_export_return_failure_and_log_once_without_raising(caplog):
    exporter = ClickHouseSpanExporter("http://127.0.0.1:9/?database=otel")  # nothing listens on the discard port
    provider = TracerProvider()
    tracer = provider.get_tracer("t")
    with caplog.at_level(logging.DEBUG, logger="otel_agentcost.store.exporter"):
        results = [exporter.export([tracer.start_span("s")]) for _ in range(2)]
    assert results == [SpanExportResult.FAILURE, SpanExportResult.FAILURE]
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "could not store 1 span(s) in http://127.0.0.1:9/" in errors[0].getMessage()
    assert exporter.force_flush() is True
    exporter.shutdown()


def test_a_bad_store_url_fails_at_construction():
    with pytest.raises(StoreURLError, match="unknown scheme"):
        ClickHouseSpanExporter("clickhouse://ch:9000")


def test_the_store_defaults_to_agentcost_store(monkeypatch):
    monkeypatch.setenv("AGENTCOST_STORE", "http://ch.example:8123/?database=agents")
    assert str(ClickHouseSpanExporter()._url) == "http://ch.example:8123/?database=agents"


def test_otel_traces_exporter_agentcost_clickhouse_selects_this_exporter():
    (entry_point,) = importlib.metadata.entry_points(group="opentelemetry_traces_exporter", name="agentcost_clickhouse")
    assert entry_point.load() is ClickHouseSpanExporter
