"""Spans leave at their simulated times: a span starts exactly when its context's clock says, lasts as long as it
really took or until the simulated time its context reached, and spans outside the simulation are left alone."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from otel_agentcost.demo import clock
from otel_agentcost.demo.timeshift import SimulatedTimeExporter, SimulatedTimes

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


class _Refusing(SpanExporter):
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.FAILURE


def _pipeline(inner: SpanExporter) -> tuple[TracerProvider, SimulatedTimeExporter]:
    times = SimulatedTimes()
    exporter = SimulatedTimeExporter(inner, times)
    provider = TracerProvider()
    provider.add_span_processor(times)  # first, as the demo adds it
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


@pytest.fixture
def pipeline():
    inner = InMemorySpanExporter()
    provider, _ = _pipeline(inner)
    yield provider.get_tracer("test"), inner
    provider.shutdown()


def _in_simulation(function, at: datetime = START):
    context = contextvars.Context()
    context.run(clock.set_now, at)
    return context.run(function)


def test_a_span_starts_at_the_simulated_now_and_lasts_its_real_duration(pipeline):
    tracer, inner = pipeline

    def call() -> None:
        with tracer.start_as_current_span("chat"):
            time.sleep(0.01)

    _in_simulation(call)
    (span,) = inner.get_finished_spans()
    assert span.start_time == clock.to_ns(START)
    assert 10_000_000 <= span.end_time - span.start_time < 60 * 10**9


def test_a_span_whose_context_moved_on_ends_at_the_simulated_time_reached(pipeline):
    tracer, inner = pipeline

    def task() -> None:
        with tracer.start_as_current_span("task"):
            clock.set_now(START + timedelta(minutes=12))
            with tracer.start_as_current_span("chat"):
                pass

    _in_simulation(task)
    spans = {span.name: span for span in inner.get_finished_spans()}
    assert spans["task"].start_time == clock.to_ns(START)
    assert spans["chat"].start_time == clock.to_ns(START + timedelta(minutes=12))
    assert spans["task"].end_time >= spans["chat"].end_time


def test_events_move_with_their_span(pipeline):
    tracer, inner = pipeline

    def call() -> None:
        with tracer.start_as_current_span("chat") as span:
            span.add_event("first token")

    _in_simulation(call)
    (span,) = inner.get_finished_spans()
    (event,) = span.events
    assert span.start_time <= event.timestamp <= span.end_time
    assert event.name == "first token"


def test_everything_but_the_times_is_kept(pipeline):
    tracer, inner = pipeline

    def call() -> int:
        with tracer.start_as_current_span("chat", attributes={"gen_ai.request.model": "gpt-5.4"}) as span:
            return span.get_span_context().span_id

    span_id = _in_simulation(call)
    (span,) = inner.get_finished_spans()
    assert span.context.span_id == span_id
    assert span.attributes["gen_ai.request.model"] == "gpt-5.4"
    assert span.instrumentation_scope.name == "test"


def test_a_span_outside_the_simulation_keeps_its_real_times(pipeline):
    tracer, inner = pipeline
    before = time.time_ns()
    contextvars.Context().run(lambda: tracer.start_span("outside").end())
    (span,) = inner.get_finished_spans()
    assert before <= span.start_time <= time.time_ns()


def test_spans_the_store_refused_are_counted():
    provider, exporter = _pipeline(_Refusing())
    tracer = provider.get_tracer("test")
    _in_simulation(lambda: [tracer.start_span(name).end() for name in ("a", "b")])
    provider.shutdown()
    assert exporter.failed_spans == 2
