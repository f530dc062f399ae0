"""What the spool tests share: spans from a real tracer provider, a real OTLP/HTTP endpoint on 127.0.0.1 that records
what it receives and can be stopped, restarted on the same port, or made to hold requests (a slow store), agent
processes driven over a pipe, and the count of rows per span id in a store."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from otel_agentcost.store import open_store

AGENT = Path(__file__).with_name("agent.py")
SQL = Path(__file__).with_name("sql")
HOLD_LIMIT_SECONDS = 60  # a held request is answered after this even if the test never releases it


def make_spans(count: int, prefix: str = "span") -> list[ReadableSpan]:
    """Finished SDK spans with attributes, as a batch processor would hand them to an exporter."""
    recorder = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(recorder))
    tracer = provider.get_tracer("spool-tests")
    for index in range(count):
        with tracer.start_as_current_span(f"{prefix}-{index}", attributes={"index": index}):
            pass
    return list(recorder.get_finished_spans())


def wait_for(condition: Callable[[], bool], what: str, limit: float = 60) -> None:
    """Returns once `condition()` holds; fails the test if it has not after `limit` seconds (a hang, not a speed)."""
    give_up = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < give_up, f"gave up waiting for {what}"
        time.sleep(0.01)


def span_ids(spans: list[ReadableSpan]) -> list[int]:
    return [span.context.span_id for span in spans]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OtlpEndpoint:
    """OTLP/HTTP on 127.0.0.1:`port`, recording the span ids of every request it answered 200; a request with a span
    named in `refused` is answered 400."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[int] = []
        self.released = threading.Event()  # cleared: requests are held until set (a slow store)
        self.released.set()
        self.holding = threading.Event()  # set once a request is held
        self.held = 0  # requests held so far
        self.refused: set[str] = set()  # span names whose requests are answered 400
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/traces"

    def start(self) -> None:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if not endpoint.released.is_set():
                    endpoint.held += 1
                    endpoint.holding.set()
                    endpoint.released.wait(HOLD_LIMIT_SECONDS)
                request = ExportTraceServiceRequest.FromString(body)
                spans = [span for resource in request.resource_spans for scope in resource.scope_spans
                         for span in scope.spans]  # fmt: skip
                if any(span.name in endpoint.refused for span in spans):
                    self.send_response(400)  # OTLP: a bad request, not to be retried by the exporter
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                endpoint.received.extend(int.from_bytes(span.span_id, "big") for span in spans)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
        self._server = None


class Agent:
    """A separate agent process (agent.py) exporting through the spool in `directory` to `target`."""

    def __init__(self, directory: Path, target: str, *options: str) -> None:
        self.stderr = directory.parent / f"agent-{time.monotonic_ns()}.log"
        with self.stderr.open("w") as log:
            self._process = subprocess.Popen(
                [sys.executable, str(AGENT), str(directory), target, *options],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
            )  # fmt: skip

    def ask(self, command: str) -> str:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(command + "\n")
        self._process.stdin.flush()
        answer = self._process.stdout.readline()
        assert answer, f"the agent process ended: {self.stderr.read_text()}"
        return answer.strip()

    def emit(self, count: int, name: str) -> list[str]:
        return self.ask(f"emit {count} {name}").split()

    def flush(self) -> bool:
        return self.ask("flush") == "True"

    def stats(self) -> dict[str, Any]:
        return json.loads(self.ask("stats"))

    def exit(self) -> dict[str, Any]:
        counters = json.loads(self.ask("exit"))
        assert self._process.wait(60) == 0, self.stderr.read_text()
        return counters


def copies_per_span(store_url: str) -> dict[str, int]:
    """Span id (hex) -> rows stored for it, read through a store opened for the purpose and closed after."""
    with open_store(store_url) as store:
        return {row["span_id"]: row["copies"] for row in store.query((SQL / "copies_per_span.sql").read_text())}
