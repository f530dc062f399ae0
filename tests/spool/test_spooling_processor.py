"""The spool in front of the exporters `opentelemetry-instrument` sets up from the standard `OTEL_*` variables:
with the store down the agent's spans wait in the spool and the next run delivers them; the console exporter and
`AGENTCOST_SPOOL=off` are left as the SDK makes them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SpanExporter, SpanExportResult
from spool_support import free_port

from otel_agentcost.spool import spooling_processor
from otel_agentcost.spool.segments import SUFFIX
from otel_agentcost.store.exporter import ClickHouseSpanExporter

AGENT = textwrap.dedent(
    """
    from opentelemetry import trace
    provider = trace.get_tracer_provider()
    processors = provider._active_span_processor._span_processors
    exporters = [type(p.span_exporter).__name__ for p in processors if hasattr(p, "span_exporter")]
    print(",".join(exporters))
    with trace.get_tracer("zero-code").start_as_current_span("step"):
        pass
    """
)


def instrumented(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AGENTCOST_SPOOL_DIR": str(tmp_path / "spool"), "AGENTCOST_SPOOL_SHUTDOWN_SECONDS": "30",
           "OTEL_BSP_SCHEDULE_DELAY": "10", **variables}  # fmt: skip
    instrument = Path(sys.executable).with_name("opentelemetry-instrument")
    result = subprocess.run(
        [str(instrument), sys.executable, "-c", AGENT], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result


def test_spans_of_a_run_with_the_collector_down_are_delivered_by_the_next_run(endpoint, tmp_path):
    endpoint.stop()
    traces = {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": endpoint.url, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "1"}
    first = instrumented(tmp_path, **traces)
    assert first.stdout.split() == ["SpoolingSpanExporter"]
    assert len(list((tmp_path / "spool").glob(f"*{SUFFIX}"))) == 1
    assert "1 span(s) wait in" in first.stderr
    endpoint.start()
    instrumented(tmp_path, **traces)
    assert len(endpoint.received) == 2  # the first run's span, then the second's
    assert not list((tmp_path / "spool").glob(f"*{SUFFIX}"))


def test_the_console_exporter_and_spool_off_are_left_unwrapped(monkeypatch, tmp_path):
    monkeypatch.setenv("AGENTCOST_SPOOL_DIR", str(tmp_path))
    otlp = OTLPSpanExporter(endpoint=f"http://127.0.0.1:{free_port()}/v1/traces")
    spooled, console = spooling_processor(otlp), spooling_processor(ConsoleSpanExporter())
    monkeypatch.setenv("AGENTCOST_SPOOL", "off")
    unwrapped = spooling_processor(otlp)
    assert spooled.span_exporter.exporter is otlp and console.span_exporter.__class__ is ConsoleSpanExporter
    assert unwrapped.span_exporter is otlp
    for processor in (spooled, console, unwrapped):
        processor.shutdown()


class Recorder(SpanExporter):
    """Keeps the size of every batch it is given."""

    def __init__(self, preferred_batch_spans=None, gate=None):
        self.sizes = []
        self.gate = gate
        if preferred_batch_spans:
            self.preferred_batch_spans = preferred_batch_spans

    def export(self, spans):
        if self.gate is not None:
            self.gate.wait()
        self.sizes.append(len(spans))
        return SpanExportResult.SUCCESS


def batch_sizes_seen(exporter, spans=5000):
    processor = spooling_processor(exporter)
    provider = TracerProvider()
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("batching")
    for _ in range(spans):
        tracer.start_span("step").end()
    provider.shutdown()
    assert sum(exporter.sizes) == spans
    return max(exporter.sizes)


def test_an_exporter_that_inserts_each_batch_gets_larger_batches_unless_the_user_sized_them(monkeypatch):
    monkeypatch.setenv("AGENTCOST_SPOOL", "off")  # the batch processor hands its batches straight to the recorder
    assert batch_sizes_seen(Recorder(preferred_batch_spans=4096)) == 4096
    assert batch_sizes_seen(Recorder()) == 512  # OTLP and the rest: the SDK's default
    monkeypatch.setenv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "100")
    assert batch_sizes_seen(Recorder(preferred_batch_spans=4096)) == 100
    assert ClickHouseSpanExporter.preferred_batch_spans > 512  # the store's exporter asks for more than the SDK's


def test_a_large_batch_waiting_while_another_is_delivered_stays_in_memory(monkeypatch, tmp_path):
    monkeypatch.setenv("AGENTCOST_SPOOL_DIR", str(tmp_path))
    gate = threading.Event()  # the store is slow: the first batch is in flight until the gate opens
    recorder = Recorder(preferred_batch_spans=16384, gate=gate)
    processor = spooling_processor(recorder)
    provider = TracerProvider()
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("batching")
    for _ in range(2 * 16384):
        tracer.start_span("step").end()
    time.sleep(1.0)  # time for the spill thread to write the waiting batch, were it over the memory bound
    gate.set()
    provider.shutdown()
    assert recorder.sizes == [16384, 16384]
    assert processor.span_exporter.spooled_spans == 0
