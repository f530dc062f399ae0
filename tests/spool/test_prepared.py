"""An exporter that prepares batches (the ClickHouse exporter: spans to the block it inserts) gets the next batch
prepared by `export`, on the caller's thread, while delivery is still storing the one before; anything not
prepared is exported whole, so a failed or skipped preparation never loses a span."""

from __future__ import annotations

import threading

from opentelemetry.sdk.trace.export import SpanExportResult
from spool_support import make_spans, span_ids

from otel_agentcost.spool import SpoolingSpanExporter
from otel_agentcost.spool.exporter import PREPARED_AHEAD
from otel_agentcost.store.exporter import ClickHouseSpanExporter

FAST = {"initial_backoff": 0.01, "max_backoff": 0.05, "rescan_seconds": 0.05}


class Preparing:
    """Records where each batch was prepared and how each was delivered; its first delivery can be held."""

    def __init__(self, *, failing_prepare: bool = False) -> None:
        self.prepared_on: list[str] = []
        self.delivered: list[tuple[str, list[int]]] = []
        self.release = threading.Event()
        self.release.set()
        self.delivering = threading.Event()
        self._failing_prepare = failing_prepare

    def prepare(self, spans):
        self.prepared_on.append(threading.current_thread().name)
        if self._failing_prepare:
            raise ValueError("cannot prepare")
        return ("prepared", span_ids(spans))

    def export_prepared(self, prepared) -> SpanExportResult:
        return self._deliver("prepared", prepared[1])

    def export(self, spans) -> SpanExportResult:
        return self._deliver("whole", span_ids(spans))

    def _deliver(self, how: str, ids: list[int]) -> SpanExportResult:
        self.delivering.set()
        assert self.release.wait(30)
        self.delivered.append((how, ids))
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def test_the_next_batch_is_prepared_by_export_and_delivered_as_prepared(tmp_path):
    exporter = Preparing()
    spool = SpoolingSpanExporter(exporter, directory=tmp_path, **FAST)
    batches = [make_spans(3, f"b{n}") for n in range(3)]
    for batch in batches:
        assert spool.export(batch) is SpanExportResult.SUCCESS
        assert spool.force_flush(30_000)
    spool.shutdown()
    assert exporter.prepared_on == [threading.current_thread().name] * 3
    assert exporter.delivered == [("prepared", span_ids(batch)) for batch in batches]


def test_batches_queued_behind_those_waiting_prepared_wait_unprepared_and_are_exported_whole(tmp_path):
    exporter = Preparing()
    spool = SpoolingSpanExporter(exporter, directory=tmp_path, **FAST)
    exporter.release.clear()
    batches = [make_spans(2, f"b{n}") for n in range(5)]
    spool.export(batches[0])
    assert exporter.delivering.wait(30)  # the first is being delivered (held there)
    for batch in batches[1:]:
        spool.export(batch)  # two wait prepared; the others queue as they came
    exporter.release.set()
    assert spool.force_flush(30_000)
    spool.shutdown()
    assert len(exporter.prepared_on) == 1 + PREPARED_AHEAD
    assert exporter.delivered == [
        *(("prepared", span_ids(batch)) for batch in batches[: 1 + PREPARED_AHEAD]),
        *(("whole", span_ids(batch)) for batch in batches[1 + PREPARED_AHEAD :]),
    ]


def test_a_preparation_that_fails_leaves_the_batch_to_be_exported_whole(tmp_path):
    exporter = Preparing(failing_prepare=True)
    spool = SpoolingSpanExporter(exporter, directory=tmp_path, **FAST)
    batch = make_spans(4, "b")
    assert spool.export(batch) is SpanExportResult.SUCCESS
    assert spool.force_flush(30_000)
    spool.shutdown()
    assert exporter.delivered == [("whole", span_ids(batch))]
    assert spool.dropped_spans == 0


def test_the_clickhouse_exporter_stores_a_prepared_batch_as_it_stores_one_exported_whole(tmp_path):
    exporter = ClickHouseSpanExporter(f"chdb:{tmp_path / 'chdb'}")
    whole, prepared = make_spans(3, "whole"), make_spans(3, "prepared")
    assert exporter.export(whole) is SpanExportResult.SUCCESS
    assert exporter.export_prepared(exporter.prepare(prepared)) is SpanExportResult.SUCCESS
    store = exporter._ready_store()
    rows = store.query("SELECT SpanName, SpanAttributes['index'] AS i FROM otel_traces ORDER BY SpanName")
    assert [(row["SpanName"], row["i"]) for row in rows] == [
        *((f"prepared-{n}", str(n)) for n in range(3)),
        *((f"whole-{n}", str(n)) for n in range(3)),
    ]
    exporter.shutdown()
    assert exporter.export(whole) is SpanExportResult.FAILURE
