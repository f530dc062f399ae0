"""`serve` under load: 8 agent processes at once, each sending 2,000 spans with the real SDK pipeline
(BatchSpanProcessor + OTLP/HTTP protobuf exporter). Every span is stored, none twice."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from receiver_support import WAIT, span_counts

from otel_agentcost.store import open_store

PROCESSES = 8
SPANS_PER_PROCESS = 2_000


class _CountingExporter(SpanExporter):
    """The real OTLP exporter, counting the spans it reports as delivered."""

    def __init__(self, endpoint: str) -> None:
        self.exporter = OTLPSpanExporter(endpoint=endpoint)
        self.delivered = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        result = self.exporter.export(spans)
        if result == SpanExportResult.SUCCESS:
            self.delivered += len(spans)
        return result

    def shutdown(self) -> None:
        self.exporter.shutdown()


def _agent(endpoint: str, number: int) -> int:
    """One agent process: SPANS_PER_PROCESS spans through the SDK's batch processor; returns the count delivered."""
    exporter = _CountingExporter(endpoint)
    provider = TracerProvider(resource=Resource({"service.name": f"agent-{number}"}))
    provider.add_span_processor(BatchSpanProcessor(exporter, max_queue_size=SPANS_PER_PROCESS))
    tracer = provider.get_tracer("load")
    for n in range(SPANS_PER_PROCESS):
        with tracer.start_as_current_span(f"call {n}", attributes={"gen_ai.usage.output_tokens": n}):
            pass
    provider.shutdown()  # flushes the batch processor, then shuts the exporter down
    return exporter.delivered


def test_eight_agent_processes_at_once_get_every_span_stored_once(receiver):
    # spawn, not fork: the test process may hold threads and an open chDB engine.
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        delivered = pool.starmap_async(_agent, [(f"{receiver.url}/v1/traces", n) for n in range(PROCESSES)]).get(
            WAIT * 4
        )
    receiver.terminate()
    assert delivered == [SPANS_PER_PROCESS] * PROCESSES
    with open_store(f"chdb:{receiver.store_dir}") as store:
        assert span_counts(store) == (PROCESSES * SPANS_PER_PROCESS, PROCESSES * SPANS_PER_PROCESS)
