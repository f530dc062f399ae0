"""OTLP from the agent to `otel-agentcost serve` (a separate process owning a chDB directory), stopped with SIGTERM
and started again on the same port mid-run: every span is stored exactly once."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace.export import SpanExportResult
from spool_support import copies_per_span, free_port, make_spans, wait_for

from otel_agentcost.spool import SpoolingSpanExporter


def start_serve(store: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("a") as stderr:
        serve = subprocess.Popen(
            [sys.executable, "-m", "otel_agentcost.cli", "serve", "--store", f"chdb:{store}", "--port", str(port)],
            stderr=stderr,
        )  # fmt: skip
    wait_for(lambda: accepts(port) or serve.poll() is not None, "serve to listen")
    assert serve.poll() is None, log.read_text()
    return serve


def accepts(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def stop(serve: subprocess.Popen[bytes]) -> None:
    """SIGTERM: uvicorn shuts down gracefully, then re-raises the signal, so the exit is by SIGTERM."""
    serve.send_signal(signal.SIGTERM)
    assert serve.wait(60) in (0, -signal.SIGTERM)


def test_spans_sent_while_serve_is_stopped_are_stored_once_it_restarts(tmp_path):
    store, port, log = tmp_path / "chdb", free_port(), tmp_path / "serve.log"
    serve = start_serve(store, port, log)
    # A timeout long enough that serve answers within it: a request it stored but answered too late for is sent
    # again, and OTLP has no way to make the second one idempotent.
    otlp = OTLPSpanExporter(endpoint=f"http://127.0.0.1:{port}/v1/traces", timeout=5)
    exporter = SpoolingSpanExporter(otlp, directory=tmp_path / "spool", initial_backoff=0.01, max_backoff=0.1)
    before = make_spans(5, "before")
    exporter.export(before)
    assert exporter.force_flush(60_000)
    stop(serve)

    during = [make_spans(5, f"down{n}") for n in range(4)]
    assert [exporter.export(batch) for batch in during] == [SpanExportResult.SUCCESS] * 4
    wait_for(lambda: exporter.spooled_spans == 20, "the spans to reach the spool")
    serve = start_serve(store, port, log)
    assert exporter.force_flush(60_000)
    exporter.shutdown()
    stop(serve)

    sent = [f"{span.context.span_id:016x}" for span in before + [s for batch in during for s in batch]]
    assert copies_per_span(f"chdb:{store}") == dict.fromkeys(sent, 1)
