"""The OTLP/HTTP receiver as a Starlette app: `POST /v1/traces`, `GET /healthz`, and room for the web page at `/`.

A request is answered 200 only once its body is durable in the journal (see journal.py), so an acknowledged span
is never lost, even to SIGKILL; it is stored from there. Every refusal says why and, when retrying can help (429,
503), when to retry. Work is refused as early as possible: a full queue or a full journal before the body is read,
an oversized body while it is read, a bad payload before it is queued.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from otel_agentcost.receiver.auth import TokenAuth
from otel_agentcost.receiver.body import BodyTooLarge, CorruptBody, UnsupportedEncoding, decompress, read_limited
from otel_agentcost.receiver.journal import KIND_JSON, KIND_PROTOBUF, Journal, Record
from otel_agentcost.receiver.otlp import DecodedSpans, PayloadError, decode_json, decode_protobuf
from otel_agentcost.receiver.ratelimit import RateLimit
from otel_agentcost.receiver.replies import JSON, PROTOBUF, export_response, failure_response
from otel_agentcost.receiver.writer import JournalWriteError, QueueFull, SpanStore, SpanWriter, WriterClosed

_log = logging.getLogger(__name__)

DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
# An insert block of 16,384 spans, as the in-process exporter's (see store/exporter.py); the queue holds two, so that
# one fills while the other is inserted.
DEFAULT_BATCH_SPANS = 16_384
DEFAULT_QUEUE_SPANS = 2 * DEFAULT_BATCH_SPANS
DEFAULT_MAX_REQUESTS_IN_FLIGHT = 32
DEFAULT_JOURNAL_MAX_BYTES = 1024 * 1024 * 1024
# Seconds a client is told to wait: a full queue drains in well under a second; a full journal waits on the store.
RETRY_AFTER_BUSY = 1
RETRY_AFTER_UNAVAILABLE = 5

_DECODERS: dict[str, Callable[[bytes], DecodedSpans]] = {PROTOBUF: decode_protobuf, JSON: decode_json}
_KINDS = {PROTOBUF: KIND_PROTOBUF, JSON: KIND_JSON}


class _Receiver:
    def __init__(
        self, writer: SpanWriter, journal: Journal, journal_max_bytes: int, max_body_bytes: int, max_in_flight: int
    ) -> None:
        self.writer = writer
        self.journal = journal
        self.journal_max_bytes = journal_max_bytes
        self.max_body_bytes = max_body_bytes
        self.max_in_flight = max_in_flight
        self.in_flight = 0
        # One thread decodes, off the event loop: decoding holds the interpreter lock throughout, so several threads
        # would only take turns at it (anyio's pool has forty), paying for every switch.
        self.decoding = ThreadPoolExecutor(max_workers=1, thread_name_prefix="agentcost-decode")

    async def export(self, request: Request) -> Response:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in _DECODERS:
            return failure_response(
                415, f"Content-Type {media_type or '(none)'!r} is not supported; send {PROTOBUF} or {JSON}", JSON
            )
        refusal = self._admission(media_type)
        if refusal is not None:
            return refusal
        self.in_flight += 1
        try:
            return await self._export(request, media_type)
        finally:
            self.in_flight -= 1

    def _admission(self, media_type: str) -> Response | None:
        if not self.writer.accepting:
            return failure_response(503, "the receiver is shutting down", media_type, retry_after=RETRY_AFTER_BUSY)
        if self.journal.size_bytes >= self.journal_max_bytes:
            return failure_response(503, self._journal_full(), media_type, retry_after=RETRY_AFTER_UNAVAILABLE)
        if self.in_flight >= self.max_in_flight or not self.writer.has_room():
            return failure_response(
                429, "the receiver is busy storing earlier spans; retry later", media_type, retry_after=RETRY_AFTER_BUSY
            )
        return None

    async def _export(self, request: Request, media_type: str) -> Response:
        try:
            body = await read_limited(request.headers.get("content-length"), request.stream(), self.max_body_bytes)
            payload = decompress(body, request.headers.get("content-encoding"), self.max_body_bytes)
            decoded = await asyncio.get_running_loop().run_in_executor(
                self.decoding, functools.partial(_DECODERS[media_type], payload)
            )
        except BodyTooLarge as error:
            return failure_response(413, f"{error}; send smaller batches", media_type)
        except UnsupportedEncoding as error:
            return failure_response(415, str(error), media_type)
        except (CorruptBody, PayloadError) as error:
            _log.warning("refused a trace export: %s", error)
            return failure_response(400, str(error), media_type)
        if decoded.rejected:
            _log.warning("left out %d span(s): %s", len(decoded.rejected), decoded.rejected[0])
        if decoded.size:
            refusal = await self._store(Record(_KINDS[media_type], payload), decoded, media_type)
            if refusal is not None:
                return refusal
        return export_response(media_type, decoded.rejected)

    async def _store(self, record: Record, decoded: DecodedSpans, media_type: str) -> Response | None:
        try:
            await asyncio.wrap_future(self.writer.submit(record, decoded.block))
        except QueueFull as error:
            return failure_response(429, f"{error}; retry later", media_type, retry_after=RETRY_AFTER_BUSY)
        except WriterClosed as error:
            return failure_response(503, str(error), media_type, retry_after=RETRY_AFTER_BUSY)
        except JournalWriteError as error:
            return failure_response(503, str(error), media_type, retry_after=RETRY_AFTER_UNAVAILABLE)
        return None

    def _journal_full(self) -> str:
        failure = self.writer.store_failure
        why = f"the store is failing ({failure})" if failure else "the store is behind"
        return (
            f"the journal holds {self.journal.size_bytes} bytes not yet stored, over its limit of "
            f"{self.journal_max_bytes}: {why}; retry later"
        )

    async def health(self, request: Request) -> Response:
        state = "ok" if self.writer.accepting else "shutting down"
        # Open to all (no token): counts and states only, never the store's error, which may name internal hosts.
        body = {
            "status": state,
            "queued_spans": self.writer.queued_spans,
            "journal_bytes": self.journal.size_bytes,
            "store_failing": self.writer.store_failure is not None,
        }
        return JSONResponse(body, status_code=200 if state == "ok" else 503)


def create_app(
    store: SpanStore,
    journal: Journal,
    *,
    journal_max_bytes: int = DEFAULT_JOURNAL_MAX_BYTES,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    queue_spans: int = DEFAULT_QUEUE_SPANS,
    batch_spans: int = DEFAULT_BATCH_SPANS,
    max_requests_in_flight: int = DEFAULT_MAX_REQUESTS_IN_FLIGHT,
    routes: Sequence[BaseRoute] = (),
    on_shutdown: Callable[[], None] | None = None,
    token: str | None = None,
    rate_limit: float | None = None,
) -> Starlette:
    """The receiver app writing to `store` through `journal`. Its writer threads run for the app's lifespan; the
    journal's unstored segments from an earlier run are stored first. Requests are refused (503) while the journal
    holds over `journal_max_bytes`.

    `routes` are added beside the receiver's own: `GET /` is left free for the dashboards web page.
    `on_shutdown` runs after the queue is drained (serve() closes the store there).
    With `token`, every path but /healthz requires it (see auth.py); with `rate_limit`, each client address may
    make that many requests a second, in bursts of as many (see ratelimit.py).
    """
    writer = SpanWriter(store, journal, capacity_spans=queue_spans, batch_spans=batch_spans)
    receiver = _Receiver(writer, journal, journal_max_bytes, max_body_bytes, max_requests_in_flight)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        writer.start()
        try:
            yield
        finally:
            await run_in_threadpool(writer.close)
            receiver.decoding.shutdown()
            if on_shutdown is not None:
                on_shutdown()

    own = [
        Route("/v1/traces", receiver.export, methods=["POST"]),
        Route("/healthz", receiver.health, methods=["GET"]),
    ]
    return Starlette(routes=[*own, *routes], lifespan=lifespan, middleware=_guards(token, rate_limit))


def _guards(token: str | None, rate_limit: float | None) -> list[Middleware]:
    """The rate bound first, so that guessing tokens is rate-bound too."""
    guards = []
    if rate_limit:
        guards.append(Middleware(RateLimit, per_second=rate_limit, burst=max(1, math.ceil(rate_limit))))
    if token is not None:
        guards.append(Middleware(TokenAuth, token=token))
    return guards
