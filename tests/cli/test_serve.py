"""`otel-agentcost serve`: the command line around the OTLP receiver (whose behaviour tests/receiver covers)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import requests
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExportResult

from otel_agentcost.cli import main
from otel_agentcost.store import open_store

WAIT = 60  # seconds: a bound on waiting for the server process, never a timing assertion
TOKEN = "cli-serve-token-0123456789"


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


@dataclass
class Running:
    port: int
    process: subprocess.Popen
    stderr: str = ""

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/traces"


@contextmanager
def serving(*arguments: str, env: dict[str, str] | None = None) -> Iterator[Running]:
    """`otel-agentcost serve ARGUMENTS --port P` in its own process until the block ends (SIGTERM); its stderr is
    in `stderr` afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from otel_agentcost.cli import main; sys.exit(main(sys.argv[1:]))",
         "serve", *arguments, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})},
    )  # fmt: skip
    running = Running(port, process)
    try:
        wait_until_listening(port, process)
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        _, running.stderr = process.communicate(timeout=WAIT)


def _spans(count: int = 3) -> list:
    tracer = TracerProvider(resource=Resource({"service.name": "agent"})).get_tracer("agent")
    spans = [tracer.start_span(f"call {i}") for i in range(count)]
    for span in spans:
        span.end()
    return spans


def _export(endpoint: str, token: str | None = None) -> SpanExportResult:
    # A generous timeout (the SDK's is 10 s): a loaded CI machine must not turn a slow first answer into a failure.
    headers = {"Authorization": f"Bearer {token}"} if token else None
    exporter = OTLPSpanExporter(endpoint=endpoint, headers=headers, timeout=WAIT)
    try:
        return exporter.export(_spans())
    finally:
        exporter.shutdown()


def test_serve_stores_what_agents_send_until_sigterm(tmp_path):
    with serving("--store", f"chdb:{tmp_path}") as running:
        assert _export(running.endpoint) == SpanExportResult.SUCCESS
    # uvicorn drains, then re-raises the signal it caught, so the process ends as terminated by SIGTERM.
    assert running.process.returncode == -signal.SIGTERM, running.stderr
    assert "Application shutdown complete" in running.stderr
    assert f"receiving OTLP/HTTP on http://127.0.0.1:{running.port}/v1/traces" in running.stderr
    assert f"journal of acknowledged spans not yet stored: {tmp_path}/agentcost-journal/otel" in running.stderr
    with open_store(f"chdb:{tmp_path}") as store:
        rows = store.query("SELECT SpanName, ServiceName FROM otel_traces ORDER BY SpanName")
    assert rows == [{"SpanName": f"call {i}", "ServiceName": "agent"} for i in range(3)]


def test_the_journal_goes_where_journal_says(tmp_path):
    with serving("--store", f"chdb:{tmp_path / 'chdb'}", "--journal", str(tmp_path / "wal")) as running:
        assert _export(running.endpoint) == SpanExportResult.SUCCESS
    assert f"journal of acknowledged spans not yet stored: {tmp_path / 'wal'}" in running.stderr
    assert (tmp_path / "wal" / "lock").exists() and not (tmp_path / "chdb" / "agentcost-journal").exists()


def test_a_token_file_makes_every_export_carry_the_token(tmp_path):
    (tmp_path / "token").write_text(f"{TOKEN}\n")
    with serving("--store", f"chdb:{tmp_path / 'chdb'}", "--token-file", str(tmp_path / "token")) as running:
        assert _export(running.endpoint) == SpanExportResult.FAILURE
        assert _export(running.endpoint, "x" * len(TOKEN)) == SpanExportResult.FAILURE
        assert _export(running.endpoint, TOKEN) == SpanExportResult.SUCCESS
    assert "refused POST /v1/traces from 127.0.0.1: no valid token" in running.stderr
    assert TOKEN not in running.stderr


def test_the_token_comes_from_the_environment_when_no_file_is_given(tmp_path):
    with serving("--store", f"chdb:{tmp_path}", env={"AGENTCOST_SERVE_TOKEN": TOKEN}) as running:
        assert _export(running.endpoint) == SpanExportResult.FAILURE
        assert _export(running.endpoint, TOKEN) == SpanExportResult.SUCCESS


def test_rate_limit_bounds_each_address(tmp_path):
    with serving("--store", f"chdb:{tmp_path}", "--rate-limit", "0.01") as running:
        assert _export(running.endpoint) == SpanExportResult.SUCCESS
        refused = requests.post(
            running.endpoint, data=b"", headers={"Content-Type": "application/x-protobuf"}, timeout=WAIT
        )
    assert refused.status_code == 429 and refused.headers["Retry-After"].isdigit()


def test_insecure_no_auth_listens_beyond_loopback_without_a_token_and_warns(tmp_path):
    with serving("--store", f"chdb:{tmp_path}", "--host", "0.0.0.0", "--insecure-no-auth") as running:
        assert _export(running.endpoint) == SpanExportResult.SUCCESS
    assert "listening on 0.0.0.0 with NO authentication" in running.stderr


def test_a_non_loopback_host_is_refused_without_a_token(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("AGENTCOST_SERVE_TOKEN", raising=False)
    assert main(["serve", "--store", f"chdb:{tmp_path}", "--host", "0.0.0.0"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("otel-agentcost: error: refusing to listen on '0.0.0.0' without a token")
    assert "--token-file FILE or AGENTCOST_SERVE_TOKEN" in captured.err
    assert captured.err.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [("short\n", "has 5 characters, fewer than 16; make one with"), (None, "cannot read --token-file")],
    ids=["too short", "missing"],
)
def test_a_token_file_that_cannot_protect_the_receiver_is_refused(capsys, tmp_path, content, message):
    if content is not None:
        (tmp_path / "token").write_text(content)
    assert main(["serve", "--store", f"chdb:{tmp_path}", "--token-file", str(tmp_path / "token")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


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


def test_a_negative_rate_limit_is_refused(capsys):
    assert main(["serve", "--rate-limit", "-1"]) == 2
    assert "--rate-limit is 0 (no limit) or more" in capsys.readouterr().err
