"""Spans in simulated time: each span keeps the simulated time its code ran at, while the run takes seconds.

`SimulatedTimes` is a span processor that notes, when a span starts and ends, the simulated time of the context
that starts and ends it (see `clock`); `SimulatedTimeExporter` wraps the real exporter and hands it each finished
span rebuilt with those times. A span starts at the exact simulated time of the step that starts it, so heartbeats
scheduled 30 minutes apart are 30 minutes apart in the data; it lasts as long as it really took, or, when it spans
several steps (a task), until the simulated time its context reached when it ended. Spans started outside the
simulation keep their real times.

The processor must be added to the tracer provider before the batch processor that feeds the exporter: the SDK
calls processors in the order they were added, so the end time is noted before the span can be exported.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from otel_agentcost.demo import clock


class SimulatedTimes(SpanProcessor):
    """Notes each span's simulated start and end, for `shifted` to apply when the span is exported."""

    def __init__(self) -> None:
        self._started: dict[tuple[int, int], tuple[int, int]] = {}  # key -> (simulated start, real start)
        self._finished: dict[tuple[int, int], tuple[int, int]] = {}  # key -> (simulated start, simulated end)
        self._lock = threading.Lock()

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        now = clock.now_ns()
        if now is None or span.start_time is None:
            return
        with self._lock:
            self._started[_key(span)] = (now, span.start_time)

    def on_end(self, span: ReadableSpan) -> None:
        with self._lock:
            started = self._started.pop(_key(span), None)
        if started is None or span.end_time is None:
            return
        simulated_start, real_start = started
        simulated_end = simulated_start + span.end_time - real_start
        reached = clock.simulated_ns(span.end_time)  # None when the span ends outside the simulation
        if reached is not None:
            simulated_end = max(simulated_end, reached)
        with self._lock:
            self._finished[_key(span)] = (simulated_start, simulated_end)

    def shifted(self, span: ReadableSpan) -> ReadableSpan:
        """The span at its simulated times (its events moved with it), or the span itself if none were noted."""
        with self._lock:
            times = self._finished.pop(_key(span), None)
        if times is None or span.start_time is None:
            return span
        start, end = times
        offset = start - span.start_time
        return ReadableSpan(
            name=span.name,
            context=span.context,
            parent=span.parent,
            resource=span.resource,
            attributes=span.attributes,
            events=[Event(event.name, event.attributes, event.timestamp + offset) for event in span.events],
            links=span.links,
            kind=span.kind,
            status=span.status,
            start_time=start,
            end_time=end,
            instrumentation_scope=span.instrumentation_scope,
        )


class SimulatedTimeExporter(SpanExporter):
    """Exports through `inner` at simulated times, and counts the spans `inner` failed to store."""

    def __init__(self, inner: SpanExporter, times: SimulatedTimes) -> None:
        self._inner = inner
        self._times = times
        self.failed_spans = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        result = self._inner.export([self._times.shifted(span) for span in spans])
        if result is not SpanExportResult.SUCCESS:
            self.failed_spans += len(spans)
        return result

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


def _key(span: ReadableSpan) -> tuple[int, int]:
    context = span.get_span_context()
    return (context.trace_id, context.span_id) if context is not None else (0, 0)
