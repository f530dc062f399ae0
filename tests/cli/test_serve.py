"""`otel-agentcost serve`: the command line around the OTLP receiver (whose behaviour tests/receiver covers)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExportResult

from otel_agentcost.cli import main
from otel_agentcost.store import open_store

WAIT = 60  # seconds: a bound on waiting for the server process, never a timing assertion


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"serve did not listen on {port} within {WAIT}s")


def test_serve_stores_what_agents_send_until_sigterm(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from otel_agentcost.cli import main; sys.exit(main(sys.argv[1:]))",
         "serve", "--store", f"chdb:{tmp_path}", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_until_listening(port, process)
        tracer = TracerProvider(resource=Resource({"service.name": "agent"})).get_tracer("agent")
        spans = [tracer.start_span(f"call {i}") for i in range(3)]
        for span in spans:
            span.end()
        exporter = OTLPSpanExporter(endpoint=f"http://127.0.0.1:{port}/v1/traces")
        assert exporter.export(spans) == SpanExportResult.SUCCESS
        exporter.shutdown()
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=WAIT)
    # uvicorn drains, then re-raises the signal it caught, so the process ends as terminated by SIGTERM.
    assert process.returncode == -signal.SIGTERM, err
    assert "Application shutdown complete" in err
    assert f"receiving OTLP/HTTP on http://127.0.0.1:{port}/v1/traces" in err
    with open_store(f"chdb:{tmp_path}") as store:
        rows = store.query("SELECT SpanName, ServiceName FROM otel_traces ORDER BY SpanName")
    assert rows == [{"SpanName": f"call {i}", "ServiceName": "agent"} for i in range(3)]


def test_a_non_loopback_host_is_refused_without_allow_remote(capsys, tmp_path):
    assert main(["serve", "--store", f"chdb:{tmp_path}", "--host", "0.0.0.0"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("otel-agentcost: error: refusing to listen on '0.0.0.0'")
    assert captured.err.count("\n") == 1


def test_a_port_in_use_is_one_line_and_exit_2(capsys, tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["serve", "--store", f"chdb:{tmp_path}", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"otel-agentcost: error: cannot listen on 127.0.0.1:{port}: Address already in use")
    assert err.endswith("choose another port\n")
    assert err.count("\n") == 1


def test_a_port_out_of_range_is_refused(capsys):
    assert main(["serve", "--port", "70000"]) == 2
    assert "--port 70000 is not a port number: give 1 to 65535" in capsys.readouterr().err
