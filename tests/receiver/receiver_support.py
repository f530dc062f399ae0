"""Helpers for the receiver tests: spans made by the real OpenTelemetry SDK, the OTLP bodies its real encoder
makes of them, the receiver app served by uvicorn on 127.0.0.1, and reading back what the store holds.

OTLP/JSON has no encoder in the Python SDK: `json_body` derives it from the real protobuf encoding through
protobuf's canonical JSON mapping, then applies the two differences the OTLP/HTTP specification makes (trace and
span ids as hex, not base64; enums as integers), optionally with snake_case keys and int64 as JSON numbers.
"""

from __future__ import annotations

import base64
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from google.protobuf import json_format
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceFlags, TraceState
from starlette.applications import Starlette

from otel_agentcost.receiver import create_app
from otel_agentcost.receiver.journal import Journal, Record, Segment
from otel_agentcost.receiver.server import ReceiverServer
from otel_agentcost.receiver.writer import SpanStore
from otel_agentcost.store import SpanRow, Store

WAIT = 30  # seconds: a bound on waiting for a server or a process, never a timing assertion
START_NS = 1_767_225_600_123_456_789  # 2026-01-01T00:00:00.123456789Z
LINKED_TRACE_ID = 0x0AF7651916CD43DD8448EB211C80319C
LINKED_SPAN_ID = 0xB7AD6B7169203331

SQL = Path(__file__).parent / "sql"
_ID_KEYS = {"traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"}


def make_sdk_spans(service: str = "pm-agent", count: int = 0) -> list[ReadableSpan]:
    """A CLIENT LLM call with every kind of attribute value, an event, a link and an error status, under a root
    INTERNAL span; `count` more plain spans follow for volume."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource({"service.name": service, "deployment.replicas": 3}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("otel_agentcost.test", "1.2.3")
    link = Link(
        SpanContext(LINKED_TRACE_ID, LINKED_SPAN_ID, is_remote=True, trace_flags=TraceFlags(1),
                    trace_state=TraceState([("vendor", "v1")])),
        {"link.kind": "follows"},
    )  # fmt: skip
    with tracer.start_as_current_span("task T-7", start_time=START_NS, end_on_exit=False) as root:
        call = tracer.start_span(
            "chat gpt-5-mini",
            kind=SpanKind.CLIENT,
            start_time=START_NS + 1_000,
            links=[link],
            attributes={
                "gen_ai.request.model": "gpt-5-mini",
                "gen_ai.usage.input_tokens": 1200,
                "agentcost.grade": 0.25,
                "gen_ai.request.stream": False,
                "gen_ai.response.finish_reasons": ["stop", "length"],
                "token.counts": [1, 2, 3],
                "ratios": [1.5, 2.0],
                "flags": [True, False],
                "html": "<a & b>",
            },
        )
        call.add_event("gen_ai.choice", {"index": 0, "finish": "stop"}, timestamp=START_NS + 2_000)
        call.set_status(Status(StatusCode.ERROR, "rate limited"))
        call.end(end_time=START_NS + 1_001_000)
        for n in range(count):
            tracer.start_span(f"step {n}", start_time=START_NS + n).end(end_time=START_NS + n + 10)
        root.end(end_time=START_NS + 5_000_000)
    provider.shutdown()
    return list(exporter.get_finished_spans())


def protobuf_body(spans: list[ReadableSpan]) -> bytes:
    return encode_spans(spans).SerializeToString()


def json_body(request: ExportTraceServiceRequest, *, snake_case: bool = False, int64_numbers: bool = False) -> bytes:
    document = json_format.MessageToDict(request, preserving_proto_field_name=snake_case, use_integers_for_enums=True)
    return json.dumps(_ids_as_hex(document, int64_numbers)).encode()


def _ids_as_hex(value: Any, int64_numbers: bool) -> Any:
    if isinstance(value, list):
        return [_ids_as_hex(item, int64_numbers) for item in value]
    if not isinstance(value, dict):
        return value
    converted = {}
    for key, item in value.items():
        if key in _ID_KEYS and isinstance(item, str):
            converted[key] = base64.b64decode(item).hex()
        elif int64_numbers and key.lower().replace("_", "").endswith(("unixnano", "intvalue")):
            converted[key] = int(item)
        else:
            converted[key] = _ids_as_hex(item, int64_numbers)
    return converted


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """Run `app` as `serve` does, on an ephemeral 127.0.0.1 port; yields the base URL; shuts down gracefully."""
    listener = socket.create_server(("127.0.0.1", 0))
    started = threading.Event()
    server = ReceiverServer(app, started)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    assert started.wait(WAIT), "the receiver did not start"
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(WAIT)


class GatedJournal(Journal):
    """The real journal, with segment writes that wait until `gate` is set: "received but not yet durable"."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.written: list[int] = []  # the records in each segment written

    def write(self, records: Sequence[Record]) -> Segment:
        self.entered.set()
        assert self.gate.wait(WAIT)
        self.written.append(len(records))
        return super().write(records)


def receiver_app(store: SpanStore, journal: Path | Journal, **options: Any) -> Starlette:
    """The receiver app over `store`, journalling in `journal` (a directory, or a Journal), which it releases at
    shutdown."""
    opened = journal if isinstance(journal, Journal) else Journal(journal)
    return create_app(store, opened, on_shutdown=opened.close, **options)


def wait_until_stored(base: str) -> dict[str, Any]:
    """Wait until the receiver at `base` has stored everything it acknowledged; returns its last health report.

    Acknowledgement comes once a request is journalled: its insert follows. This waits for it (bounded by WAIT)."""
    deadline = time.monotonic() + WAIT
    while True:
        health = requests.get(f"{base}/healthz", timeout=WAIT).json()
        if (health["queued_spans"], health["journal_bytes"]) == (0, 0) or time.monotonic() > deadline:
            return health
        time.sleep(0.01)


def post_spans(
    session: requests.Session, url: str, service: str = "pm-agent"
) -> tuple[list[str], requests.Response | None]:
    """A batch of 50 fresh SDK spans posted as protobuf: their span ids, and the answer (None: no connection)."""
    spans = make_sdk_spans(service, count=48)
    span_ids = [format(span.context.span_id, "016x") for span in spans]
    try:
        response = session.post(
            f"{url}/v1/traces",
            data=protobuf_body(spans),
            headers={"Content-Type": "application/x-protobuf"},
            timeout=WAIT,
        )
    except requests.ConnectionError:
        return span_ids, None
    return span_ids, response


def stored_rows(store: Store, trace_id: str) -> list[SpanRow]:
    """The stored rows of one trace, read back as SpanRows (ordered by span name)."""
    return [SpanRow(**row) for row in store.query((SQL / "stored_rows.sql").read_text(), {"trace_id": trace_id})]


def span_counts(store: Store) -> tuple[int, int]:
    """(spans stored, distinct span ids stored)."""
    (row,) = store.query((SQL / "span_counts.sql").read_text())
    return row["spans"], row["distinct_span_ids"]


def stored_span_ids(store: Store) -> list[str]:
    return [row["span_id"] for row in store.query((SQL / "span_ids.sql").read_text())]


class ServeProcess:
    """`otel-agentcost serve`'s `serve()` running in its own process on a chDB directory, as agents would use it."""

    def __init__(self, store_dir: Path, log: Path, **options: Any) -> None:
        """`options` are serve()'s keyword arguments, as Python literals."""
        self.store_dir = store_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        arguments = "".join(f", {name}={value!r}" for name, value in options.items())
        code = f"from otel_agentcost.receiver import serve; serve({f'chdb:{store_dir}'!r}, port={self.port}{arguments})"
        with log.open("ab") as output:
            self.process = subprocess.Popen([sys.executable, "-c", code], stdout=output, stderr=subprocess.STDOUT)
        try:
            self._wait_until_healthy()
        except BaseException:
            self.kill()
            raise

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(WAIT)

    def terminate(self) -> int:
        """SIGTERM, as a service manager stops it; returns the exit status once it has shut down."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(WAIT)

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"serve exited: {self.log.read_text()}"
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still opening the store
                time.sleep(0.05)
        raise AssertionError(f"serve did not become healthy: {self.log.read_text()}")


def _free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]
