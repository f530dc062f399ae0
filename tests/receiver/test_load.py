"""`serve` under load: 8 agent processes at once, each sending 2,000 spans with the real SDK pipeline
(BatchSpanProcessor + OTLP/HTTP protobuf exporter): every span is stored, none twice. And a flood from 4 processes
that never wait, against a small queue and journal: answered 200, 429 or 503 with Retry-After, never falling over,
every acknowledged span stored once."""

from __future__ import annotations

import logging
import multiprocessing
import signal
from collections import Counter
from collections.abc import Sequence

import requests
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from receiver_support import WAIT, ServeProcess, post_spans, span_counts, stored_span_ids

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


FLOOD_PROCESSES = 4
FLOOD_REQUESTS = 20


def _flood(url: str, number: int) -> tuple[list[str], list[str], list[tuple[int, str | None]]]:
    """One sender posting as fast as it can, never waiting: (span ids sent, span ids acknowledged, refusals)."""
    sent: list[str] = []
    acknowledged: list[str] = []
    refusals: list[tuple[int, str | None]] = []
    with requests.Session() as session:
        for _ in range(FLOOD_REQUESTS):
            span_ids, response = post_spans(session, url, f"flood-{number}")
            assert response is not None, "serve stopped answering"
            sent += span_ids
            if response.status_code == 200:
                acknowledged += span_ids
            else:
                refusals.append((response.status_code, response.headers.get("Retry-After")))
    return sent, acknowledged, refusals


def test_a_flood_against_small_bounds_is_answered_200_429_or_503_with_retry_after_and_loses_nothing(tmp_path):
    serve = ServeProcess(tmp_path / "chdb", tmp_path / "serve.log", queue_spans=100, journal_max_bytes=64 * 1024)
    with multiprocessing.get_context("spawn").Pool(FLOOD_PROCESSES) as pool:
        results = pool.starmap_async(_flood, [(serve.url, n) for n in range(FLOOD_PROCESSES)]).get(WAIT * 4)
    assert requests.get(f"{serve.url}/healthz", timeout=WAIT).json()["status"] == "ok"
    assert serve.terminate() in (0, -signal.SIGTERM)
    sent = {span for spans, _, _ in results for span in spans}
    acknowledged = [span for _, spans, _ in results for span in spans]
    refusals = [refusal for _, _, refused in results for refusal in refused]
    assert {status for status, _ in refusals} <= {429, 503}
    assert all(retry_after is not None and retry_after.isdigit() for _, retry_after in refusals)
    with open_store(f"chdb:{serve.store_dir}") as store:
        stored = stored_span_ids(store)
    assert len(stored) == len(set(stored))
    assert set(acknowledged) <= set(stored) <= sent
    logging.getLogger(__name__).info("flood: %d acknowledged spans, refusals %s", len(acknowledged),
                                     Counter(status for status, _ in refusals))  # fmt: skip
