"""`serve()` as agents use it: its own process owning a chDB directory, the real OTLP/HTTP exporter sending to it,
SIGTERM while requests are in flight, SIGKILL under load from several sender processes and a restart on the same
store, and the refusals it makes before opening anything."""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
import time
from pathlib import Path

import pytest
import requests
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace.export import SpanExportResult
from receiver_support import (
    SQL,
    WAIT,
    ServeProcess,
    make_sdk_spans,
    post_spans,
    protobuf_body,
    stored_rows,
    stored_span_ids,
)

from otel_agentcost.receiver import RemoteListenRefused, serve
from otel_agentcost.receiver.otlp import decode_protobuf
from otel_agentcost.receiver.server import check_listen_host
from otel_agentcost.store import Store, open_store
from otel_agentcost.store.schema import SCHEMA_VERSION, installed_version

SENDERS = 4
BATCHES_BEFORE_SIGTERM = 12
SENDER_PROCESSES = 3
SPANS_BEFORE_SIGKILL = 1_500
TOKEN = "s3cret-token-for-serve-tests"


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "chdb"


def _opened(store_dir: Path) -> Store:
    """The directory, opened here once serve has exited and released it."""
    return open_store(f"chdb:{store_dir}")


@pytest.mark.parametrize("compression", [Compression.NoCompression, Compression.Gzip], ids=["plain", "gzip"])
def test_the_real_otlp_exporter_stores_spans_through_serve(receiver, compression):
    spans = make_sdk_spans()
    exporter = OTLPSpanExporter(endpoint=f"{receiver.url}/v1/traces", compression=compression)
    assert exporter.export(spans) == SpanExportResult.SUCCESS
    exporter.shutdown()
    assert receiver.terminate() in (0, -signal.SIGTERM)
    expected = sorted(decode_protobuf(protobuf_body(spans)).block.rows(), key=lambda row: (row.span_name, row.span_id))
    with _opened(receiver.store_dir) as store:
        assert stored_rows(store, expected[0].trace_id) == expected
        assert installed_version(store) == SCHEMA_VERSION  # a fresh directory got the schema without `db init`


def _send_until_refused(url: str, acknowledged: list[str], sent: list[str], lock: threading.Lock) -> None:
    with requests.Session() as session:
        while True:
            span_ids, response = post_spans(session, url)
            with lock:
                sent.extend(span_ids)
            if response is None:
                return
            if response.status_code == 200:
                with lock:
                    acknowledged.extend(span_ids)


def test_sigterm_under_load_stores_every_acknowledged_span_once(receiver):
    acknowledged: list[str] = []
    sent: list[str] = []
    lock = threading.Lock()
    senders = [
        threading.Thread(target=_send_until_refused, args=(receiver.url, acknowledged, sent, lock))
        for _ in range(SENDERS)
    ]
    for sender in senders:
        sender.start()
    while len(acknowledged) < BATCHES_BEFORE_SIGTERM * 50 and receiver.process.poll() is None:
        threading.Event().wait(0.01)
    assert receiver.terminate() in (0, -signal.SIGTERM)
    for sender in senders:
        sender.join(WAIT)
    with _opened(receiver.store_dir) as store:
        stored = stored_span_ids(store)
    assert len(acknowledged) >= BATCHES_BEFORE_SIGTERM * 50
    assert set(acknowledged) <= set(stored)
    assert len(stored) == len(set(stored))  # none twice
    assert set(stored) <= set(sent)


def _sender(url: str, acknowledged: Path) -> None:
    """One agent process posting batches until serve goes away; appends each acknowledged span id to its file."""
    with requests.Session() as session, acknowledged.open("a") as record:
        while True:
            span_ids, response = post_spans(session, url)
            if response is None:
                return
            if response.status_code == 200:
                record.writelines(f"{span_id}\n" for span_id in span_ids)
                record.flush()


def _acknowledged(files: list[Path]) -> list[str]:
    return [line for file in files if file.exists() for line in file.read_text().splitlines()]


def test_sigkill_under_load_then_a_restart_stores_every_acknowledged_span_exactly_once(tmp_path, store_dir):
    first = ServeProcess(store_dir, tmp_path / "serve.log")
    files = [tmp_path / f"acknowledged-{n}.txt" for n in range(SENDER_PROCESSES)]
    context = multiprocessing.get_context("spawn")
    senders = [context.Process(target=_sender, args=(first.url, file)) for file in files]
    for sender in senders:
        sender.start()
    try:
        while len(_acknowledged(files)) < SPANS_BEFORE_SIGKILL and first.process.poll() is None:
            time.sleep(0.02)
    finally:
        first.kill()  # SIGKILL: no shutdown, no draining
        for sender in senders:
            sender.join(WAIT)
    acknowledged = _acknowledged(files)
    assert len(acknowledged) >= SPANS_BEFORE_SIGKILL
    logging.getLogger(__name__).info("journal segments left by the kill: %d",
                                     len(list((store_dir / "agentcost-journal").rglob("*.seg"))))  # fmt: skip

    assert ServeProcess(store_dir, tmp_path / "serve.log").terminate() in (0, -signal.SIGTERM)
    with _opened(store_dir) as store:
        copies = {row["span_id"]: row["copies"] for row in store.query((SQL / "span_copies.sql").read_text())}
    assert {span_id: copies.get(span_id, 0) for span_id in acknowledged} == dict.fromkeys(acknowledged, 1)
    assert set(copies.values()) == {1}  # nothing stored twice, acknowledged or not


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.com"])
def test_serve_refuses_to_listen_beyond_loopback_without_a_token_before_opening_anything(host, store_dir):
    with pytest.raises(RemoteListenRefused, match=f"refusing to listen on '{host}' without a token.*--token-file"):
        serve(f"chdb:{store_dir}", host=host)
    assert not store_dir.exists()


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "::1", "localhost"])
def test_loopback_hosts_need_no_token(host):
    check_listen_host(host, token=None, insecure_no_auth=False)


def test_a_token_permits_any_host():
    check_listen_host("0.0.0.0", token=TOKEN, insecure_no_auth=False)


def test_insecure_no_auth_permits_any_host_with_a_warning(caplog):
    check_listen_host("0.0.0.0", token=None, insecure_no_auth=True)
    assert "listening on 0.0.0.0 with NO authentication (insecure_no_auth)" in caplog.text
    assert caplog.records[-1].levelname == "WARNING"


def test_a_token_and_insecure_no_auth_together_are_refused():
    with pytest.raises(RemoteListenRefused, match="contradict each other"):
        check_listen_host("0.0.0.0", token=TOKEN, insecure_no_auth=True)


def test_a_port_in_use_is_reported_before_the_store_is_opened(store_dir):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port}: .*; choose another port"):
            serve(f"chdb:{store_dir}", port=port)
    assert not store_dir.exists()
