"""`otel-agentcost serve` run as a user runs it (the command line, in its own process), and an agent's span sent
to it over OTLP/HTTP by the real OpenTelemetry SDK exporter."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import requests
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExportResult
from opentelemetry.trace import SpanKind

WAIT = 60  # seconds: a bound on waiting for the server, never a timing assertion


@dataclass(frozen=True)
class Served:
    url: str
    log: Path

    def export_call(self, at: datetime, *, session: str, model: str, input_tokens: int, output_tokens: int) -> None:
        """One LLM call span, as an instrumented agent exports it."""
        tracer = TracerProvider(resource=Resource({"service.name": "live-agent"})).get_tracer("live-agent")
        start = int(at.timestamp() * 1e9)
        span = tracer.start_span(
            f"chat {model}",
            kind=SpanKind.CLIENT,
            start_time=start,
            attributes={
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": "acme",
                "gen_ai.request.model": model,
                "gen_ai.usage.input_tokens": input_tokens,
                "gen_ai.usage.output_tokens": output_tokens,
                "agentcost.session.id": session,
                "agentcost.trigger": "user",
            },
        )
        span.end(end_time=start + 1_000_000_000)
        exporter = OTLPSpanExporter(endpoint=f"{self.url}/v1/traces")
        try:
            assert exporter.export([span]) == SpanExportResult.SUCCESS
        finally:
            exporter.shutdown()
        self._wait_until_stored()

    def _wait_until_stored(self) -> None:
        """serve answers once a span is in its journal; the page reads the store, which the insert reaches next."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            health = requests.get(f"{self.url}/healthz", timeout=WAIT).json()
            if health["queued_spans"] == 0 and health["journal_bytes"] == 0:
                return
            time.sleep(0.01)
        raise AssertionError(f"serve did not store the span: {health}")


@contextmanager
def serving(store: str, log: Path, *options: str) -> Iterator[Served]:
    """`otel-agentcost serve --store STORE OPTIONS` on a free port until the block ends (then SIGTERM); its journal
    beside the log, so that a server store's journal stays out of the user's state directory."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    command = "import sys; from otel_agentcost.cli import main; sys.exit(main(sys.argv[1:]))"
    journal = str(log.with_suffix(".journal"))
    arguments = ["serve", "--store", store, "--port", str(port), "--journal", journal, *options]
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-c", command, *arguments], stdout=output, stderr=subprocess.STDOUT)
    try:
        served = Served(f"http://127.0.0.1:{port}", log)
        _wait_until_healthy(served, process)
        yield served
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(WAIT)


def _wait_until_healthy(served: Served, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        assert process.poll() is None, f"serve exited: {served.log.read_text()}"
        try:
            if requests.get(f"{served.url}/healthz", timeout=1).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still opening the store
            time.sleep(0.05)
    raise AssertionError(f"serve did not become healthy: {served.log.read_text()}")
