"""The in-process ClickHouse exporter over HTTP (clickhouse-connect's server backend) to the chDB-backed ClickHouse
HTTP fixture, stopped and started again on the same port mid-run: every span is stored exactly once."""

from __future__ import annotations

import socket

from chdb_http import ChdbHttpServer
from opentelemetry.sdk.trace.export import SpanExportResult
from spool_support import copies_per_span, free_port, make_spans, wait_for

from otel_agentcost.spool import SpoolingSpanExporter
from otel_agentcost.store.exporter import ClickHouseSpanExporter


class ServerOnPort(ChdbHttpServer):
    """The fixture, listening on a given port so that a restarted server is found at the same URL (with
    SO_REUSEADDR on both, as a real server sets it, so the connections the first one closed do not hold the port)."""

    def __init__(self, path: str, port: int) -> None:
        super().__init__(path)
        self._socket.close()
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self.port = port
        self._thread = type(self._thread)(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)


def test_spans_exported_while_the_clickhouse_server_is_stopped_are_stored_once_it_restarts(tmp_path):
    server = ServerOnPort(str(tmp_path / "chdb"), free_port())
    server.start()
    url = server.url("spool_http")
    exporter = SpoolingSpanExporter(ClickHouseSpanExporter(url), directory=tmp_path / "spool",
                                    initial_backoff=0.01, max_backoff=0.1)  # fmt: skip
    before = make_spans(5, "before")
    exporter.export(before)
    assert exporter.force_flush(60_000)
    server.stop()

    during = [make_spans(5, f"down{n}") for n in range(4)]
    assert [exporter.export(batch) for batch in during] == [SpanExportResult.SUCCESS] * 4
    wait_for(lambda: exporter.spooled_spans == 20, "the spans to reach the spool")
    server = ServerOnPort(server.path, server.port)
    server.start()
    try:
        assert exporter.force_flush(60_000)
        exporter.shutdown()
        sent = [f"{span.context.span_id:016x}" for span in before + [s for batch in during for s in batch]]
        assert copies_per_span(url) == dict.fromkeys(sent, 1)
    finally:
        server.stop()
