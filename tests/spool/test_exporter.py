"""The spooling exporter in front of the real OTLP/HTTP exporter, against a real endpoint that is slow, stopped or
restarted: export never waits, every span arrives exactly once, in order, and nothing is dropped unless the spool
is full, which is logged once and counted."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export import SpanExportResult
from spool_support import OtlpEndpoint, make_spans, span_ids, wait_for

from otel_agentcost.spool import SpoolingSpanExporter
from otel_agentcost.spool.delivery import REFUSALS
from otel_agentcost.spool.segments import QUARANTINE, SUFFIX

FAST = {"initial_backoff": 0.01, "max_backoff": 0.05, "rescan_seconds": 0.05}


def spooling(endpoint: OtlpEndpoint, directory: Path, timeout: float = 0.5, **options) -> SpoolingSpanExporter:
    return SpoolingSpanExporter(OTLPSpanExporter(endpoint=endpoint.url, timeout=timeout), directory=directory,
                                **{**FAST, **options})  # fmt: skip


def segments(directory: Path) -> list[Path]:
    return sorted(directory.glob(f"*{SUFFIX}"))


def test_export_returns_while_the_store_holds_the_request_and_every_span_arrives_once(endpoint, tmp_path):
    endpoint.released.clear()
    exporter = spooling(endpoint, tmp_path, timeout=30)
    batches = [make_spans(5, f"b{n}") for n in range(20)]
    results = [exporter.export(batch) for batch in batches]
    assert endpoint.holding.wait(30)
    # Every export returned while the store had not answered the first request.
    assert not endpoint.released.is_set()
    assert results == [SpanExportResult.SUCCESS] * 20
    endpoint.released.set()
    assert exporter.force_flush(30_000)
    assert sorted(endpoint.received) == sorted(span_ids([span for batch in batches for span in batch]))
    exporter.shutdown()
    assert exporter.dropped_spans == 0


def test_while_the_store_is_slow_memory_past_its_bound_goes_to_disk_then_is_delivered(endpoint, tmp_path):
    endpoint.released.clear()
    exporter = spooling(endpoint, tmp_path, timeout=30, queue_spans=10)
    batches = [make_spans(5, f"b{n}") for n in range(12)]
    exporter.export(batches[0])
    assert endpoint.holding.wait(30)
    for count, batch in enumerate(batches[1:], start=1):
        assert exporter.export(batch) is SpanExportResult.SUCCESS
        # Past 10 spans in memory the oldest go to disk (at 20, export would drop: wait for the disk each time).
        wait_for(lambda count=count: exporter.spooled_spans >= 5 * count - 10, "the spill to disk")
    assert exporter.spooled_spans >= 45 and segments(tmp_path)
    endpoint.released.set()
    assert exporter.force_flush(30_000)
    assert sorted(endpoint.received) == sorted(span_ids([span for batch in batches for span in batch]))
    assert not segments(tmp_path)
    exporter.shutdown()


def test_a_stopped_store_gets_every_span_once_and_every_batch_whole_after_it_restarts(endpoint, tmp_path):
    exporter = spooling(endpoint, tmp_path)
    first = make_spans(3, "before")
    exporter.export(first)
    assert exporter.force_flush(30_000)
    endpoint.stop()
    during = [make_spans(4, f"down{n}") for n in range(5)]
    for batch in during:
        assert exporter.export(batch) is SpanExportResult.SUCCESS
    wait_for(lambda: exporter.spooled_spans == 20, "the spans to reach the spool")
    assert not exporter.force_flush(100)
    endpoint.start()
    assert exporter.force_flush(30_000)
    # The oldest file comes first unless the store came back between a failed attempt and the probe of the next
    # file (see Deliverer._deliver_file): then that one batch goes ahead, whole.
    received = endpoint.received
    assert received[:3] == span_ids(first) and len(received) == 3 + 20
    assert sorted(received[3:][n : n + 4] for n in range(0, 20, 4)) == sorted(span_ids(batch) for batch in during)
    assert not segments(tmp_path)
    exporter.shutdown()
    assert exporter.dropped_spans == 0


def test_a_full_spool_logs_one_line_and_counts_every_dropped_span(endpoint, tmp_path, caplog):
    endpoint.stop()
    reader = InMemoryMetricReader()
    exporter = spooling(endpoint, tmp_path, max_bytes=4000, meter_provider=MeterProvider(metric_readers=[reader]))
    batches = [make_spans(10, f"b{n}") for n in range(30)]
    with caplog.at_level(logging.WARNING, logger="otel_agentcost.spool"):
        results = [exporter.export(batch) for batch in batches]
        exporter.shutdown()
    assert results == [SpanExportResult.SUCCESS] * 30
    on_disk = sum(path.stat().st_size for path in segments(tmp_path))
    assert on_disk <= 4000
    assert exporter.dropped_spans == 300 - exporter.spooled_spans > 0
    assert exporter.dropped_by_reason == {"spool_full": exporter.dropped_spans}
    dropping = [r.getMessage() for r in caplog.records if "dropping spans" in r.getMessage()]
    assert len(dropping) == 1 and "AGENTCOST_SPOOL_MAX_BYTES" in dropping[0]
    assert any(f"dropped {exporter.dropped_spans} span(s)" in r.getMessage() for r in caplog.records)
    (metric,) = [m for rm in reader.get_metrics_data().resource_metrics for sm in rm.scope_metrics
                 for m in sm.metrics if m.name == "agentcost.spool.dropped_spans"]  # fmt: skip
    assert [(p.value, dict(p.attributes)) for p in metric.data.data_points] == [
        (exporter.dropped_spans, {"reason": "spool_full"})
    ]


def test_a_corrupt_spool_file_is_moved_aside_and_the_others_are_delivered(endpoint, tmp_path, caplog):
    endpoint.stop()
    writer = spooling(endpoint, tmp_path, shutdown_seconds=0)
    batches = [make_spans(2, f"b{n}") for n in range(3)]
    for batch in batches:
        writer.export(batch)
    writer.shutdown()
    damaged = segments(tmp_path)[1]
    damaged.write_bytes(damaged.read_bytes()[:-3])
    endpoint.start()
    with caplog.at_level(logging.ERROR, logger="otel_agentcost.spool"):
        reader = spooling(endpoint, tmp_path)
        assert reader.force_flush(30_000)
    assert endpoint.received == span_ids(batches[0]) + span_ids(batches[2])
    assert (tmp_path / QUARANTINE / damaged.name).exists()
    assert any(str(damaged) in r.getMessage() for r in caplog.records)
    reader.shutdown()


def test_a_batch_the_store_keeps_refusing_is_moved_aside_and_later_ones_are_delivered(endpoint, tmp_path, caplog):
    endpoint.refused.add("poison-0")
    exporter = spooling(endpoint, tmp_path)
    poison, after = make_spans(1, "poison"), [make_spans(2, f"after{n}") for n in range(REFUSALS)]
    with caplog.at_level(logging.ERROR, logger="otel_agentcost.spool"):
        for batch in [poison, *after]:
            assert exporter.export(batch) is SpanExportResult.SUCCESS
        assert exporter.force_flush(30_000)
    assert sorted(endpoint.received) == sorted(span_ids([span for batch in after for span in batch]))
    (moved,) = (tmp_path / QUARANTINE).iterdir()
    assert any(str(moved.name) in r.getMessage() and "refused it 3 times" in r.getMessage() for r in caplog.records)
    exporter.shutdown()


def test_shutdown_with_the_store_down_leaves_the_spans_for_the_next_exporter(endpoint, tmp_path, caplog):
    endpoint.stop()
    first = spooling(endpoint, tmp_path, shutdown_seconds=30)
    spans = make_spans(7)
    first.export(spans)
    with caplog.at_level(logging.WARNING, logger="otel_agentcost.spool"):
        first.shutdown()
    assert any(f"7 span(s) wait in {tmp_path}" in r.getMessage() for r in caplog.records)
    endpoint.start()
    second = spooling(endpoint, tmp_path)
    assert second.force_flush(30_000)
    assert endpoint.received == span_ids(spans)
    second.shutdown()


def test_a_spool_directory_removed_while_running_is_made_again(endpoint, tmp_path):
    directory = tmp_path / "spool"
    endpoint.stop()
    exporter = spooling(endpoint, directory)
    exporter.export(make_spans(2, "first"))
    wait_for(lambda: exporter.spooled_spans == 2, "the spans to reach the spool")
    shutil.rmtree(directory)  # e.g. a cache cleaner; what it held is gone, what comes after is kept
    later = make_spans(3, "later")
    exporter.export(later)
    wait_for(lambda: exporter.spooled_spans == 5, "the spans to reach the spool again")
    endpoint.start()
    assert exporter.force_flush(30_000)
    assert set(span_ids(later)) <= set(endpoint.received)  # a file read just before the removal may go too
    assert len(set(endpoint.received)) == len(endpoint.received)
    exporter.shutdown()


FORKING_AGENT = textwrap.dedent(
    """
    import os, sys
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from spool_support import make_spans
    from otel_agentcost.spool import SpoolingSpanExporter

    spool = SpoolingSpanExporter(OTLPSpanExporter(endpoint=sys.argv[2]), directory=sys.argv[1])
    child = os.fork()
    spans = make_spans(3, "child" if child == 0 else "parent")
    spool.export(spans)
    delivered = spool.force_flush(60_000)
    line = " ".join(f"{span.context.span_id:x}" for span in spans) if delivered else "stuck"
    os.write(1, (line + "\\n").encode())  # one write: the two processes' lines do not interleave
    if child == 0:
        os._exit(0)
    os.waitpid(child, 0)
    """
)


def test_a_forked_child_delivers_its_own_spans(endpoint, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", FORKING_AGENT, str(tmp_path), endpoint.url],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent,
    )  # fmt: skip
    printed = result.stdout.split()
    assert "stuck" not in printed and len(printed) == 6, result.stderr
    assert sorted(endpoint.received) == sorted(int(span_id, 16) for span_id in printed)


@pytest.mark.parametrize("name", ["queue_spans", "initial_backoff"])
def test_bad_bounds_are_refused_with_their_name(endpoint, tmp_path, name):
    with pytest.raises(ValueError, match=name.split("_")[0]):
        spooling(endpoint, tmp_path, **{name: 0})
