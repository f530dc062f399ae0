"""A ClickHouse HTTP interface served from chDB, so the clickhouse-connect (server) backend runs against a real engine.

No ClickHouse server can be installed on the machines this project is built on (none is in the reachable
registries; Debian's is years too old), so the tests serve ClickHouse's HTTP protocol from chDB, which is the same
engine in-process. This is a test fixture, not a product: it implements what clickhouse-connect sends, and passes
statements and data through to the engine unchanged.

What it implements, as the ClickHouse server does:
- `GET /ping` -> `Ok.`;
- a statement is the `query` URL parameter followed by the request body (a line feed between them): clickhouse-connect
  puts selects and commands in the body, and an INSERT's `INSERT ... FORMAT Native` in `query` with the Native
  data as the body; when parameters are too long for a URL it sends `query` and `param_*` as multipart form
  fields instead, which are read like URL parameters;
- `database` selects the default database, `param_<name>` values bind `{name:Type}` placeholders (passed to chDB's
  own parameter binding, in the same text form), other parameters are settings, applied with SET, except the
  HTTP-only ones (`query_id`, `session_id`, compression and progress switches), which are dropped;
- request bodies compressed with `Content-Encoding` gzip, deflate, lz4 (frame) or zstd are decompressed; responses
  are never compressed (no `Content-Encoding`, which clickhouse-connect reads as plain data);
- a result is the engine's output in the statement's own `FORMAT` (clickhouse-connect asks for Native), else
  TabSeparated, with the `X-ClickHouse-*` headers the client reads (query id, format, timezone, summary);
- an error is HTTP 500 with the engine's `Code: N. DB::Exception: ...` text and `X-ClickHouse-Exception-Code: N`.
Not implemented: sessions and external data (form file fields), which this project never sends.
Each request gets its own chDB connection (so SET and USE never leak between requests), one request at a time;
one more connection stays open while the server runs, so the engine starts once, not per request.
"""

from __future__ import annotations

import gzip
import json
import re
import socket
import threading
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import chdb
import lz4.frame
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

try:
    from compression import zstd  # Python 3.14+
except ImportError:
    from backports import zstd

_HTTP_ONLY = frozenset(
    {
        "query",
        "database",
        "query_id",
        "session_id",
        "session_timeout",
        "session_check",
        "compress",
        "decompress",
        "enable_http_compression",
        "http_zlib_compression_level",
        "wait_end_of_query",
        "send_progress_in_http_headers",
        "http_headers_progress_interval_ms",
        "client_protocol_version",
        "default_format",
        "user",
        "password",
        "quota_key",
        "buffer_size",
    }
)
_DECOMPRESS = {
    "gzip": gzip.decompress,
    "deflate": zlib.decompress,
    "lz4": lz4.frame.decompress,
    "zstd": zstd.decompress,
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INSERT_FORMAT = re.compile(rb"^\s*(INSERT\b.*?)\bFORMAT\s+(\w+)[ \t]*(?:\r?\n|$)", re.IGNORECASE | re.DOTALL)
_ERROR_CODE = re.compile(r"Code: (\d+)\.")


class ChdbHttpServer:
    """The ClickHouse HTTP interface on 127.0.0.1:<free port>, over the chDB directory `path`."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.content_encodings: list[str] = []  # of the request bodies received, for tests of compression
        app = Starlette(routes=[Route("/ping", _ping), Route("/", self._endpoint, methods=["GET", "POST"])])
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    def url(self, database: str, user: str = "default", password: str = "") -> str:
        credentials = f"{user}:{password}@" if password else f"{user}@"
        return f"http://{credentials}127.0.0.1:{self.port}/?database={database}"

    def start(self) -> None:
        self._engine = chdb.connect(self.path)
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the chDB HTTP fixture server did not start")
            self._thread.join(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join()
        self._socket.close()
        self._engine.close()

    async def _endpoint(self, request: Request) -> Response:
        body = await request.body()
        encoding = request.headers.get("content-encoding")
        if encoding:
            self.content_encodings.append(encoding)
            body = _DECOMPRESS[encoding](body)
        params = dict(request.query_params)
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            params.update(_form_fields(request.headers["content-type"], body))
            body = b""
        query_id = params.get("query_id") or str(uuid.uuid4())
        try:
            output, fmt, rows = await run_in_threadpool(self._execute, params, body)
        except RuntimeError as error:  # chdb.ChdbError is one
            message = str(error)
            code = _ERROR_CODE.search(message)
            headers = {"X-ClickHouse-Exception-Code": code.group(1) if code else "1000"}
            return PlainTextResponse(message + "\n", status_code=500, headers=headers)
        summary = {"read_rows": str(rows), "read_bytes": "0", "written_rows": "0", "written_bytes": "0"}
        headers = {
            "X-ClickHouse-Query-Id": query_id,
            "X-ClickHouse-Format": fmt,
            "X-ClickHouse-Timezone": "UTC",
            "X-ClickHouse-Summary": json.dumps(summary),
        }
        return Response(output, headers=headers, media_type="application/octet-stream")

    def _execute(self, params: dict[str, str], body: bytes) -> tuple[bytes, str, int]:
        statement = (params["query"] + "\n").encode() + body if "query" in params else body
        with self._lock, self._connection(params) as connection:
            insert = _INSERT_FORMAT.match(statement)
            if insert:
                data = statement[insert.end() :]
                return _insert(connection, insert.group(1).decode(), insert.group(2).decode(), data)
            bindings = {key[len("param_") :]: value for key, value in params.items() if key.startswith("param_")}
            result = connection.query(statement.decode(), "TabSeparated", params=bindings)
            fmt = re.search(r"\bFORMAT\s+(\w+)\s*;?\s*$", statement.decode(), re.IGNORECASE)
            return result.bytes(), fmt.group(1) if fmt else "TabSeparated", result.rows_read()

    @contextmanager
    def _connection(self, params: dict[str, str]) -> Iterator[Any]:
        """A connection of its own for one request, with the request's database and settings."""
        connection = chdb.connect(self.path)
        try:
            database = params.get("database")
            if database:
                connection.query(f"USE {_name(database)}")
            for key, value in params.items():
                if key not in _HTTP_ONLY and not key.startswith("param_"):
                    connection.query(f"SET {_name(key)} = {_quoted(value)}")
            yield connection
        finally:
            connection.close()


def _insert(connection: Any, statement: str, fmt: str, data: bytes) -> tuple[bytes, str, int]:
    with connection.send_insert(statement, fmt) as inserter:
        inserter.append(data)
        result = inserter.finish()
    return b"", fmt, result.rows_written


def _form_fields(content_type: str, body: bytes) -> dict[str, str]:
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    return {part.get_param("name", header="content-disposition"): part.get_content() for part in message.iter_parts()}


async def _ping(request: Request) -> Response:
    return PlainTextResponse("Ok.\n")


def _name(text: str) -> str:
    if not _NAME.fullmatch(text):
        raise RuntimeError(f"Code: 62. DB::Exception: bad name {text!r} in a request parameter")
    return text


def _quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
