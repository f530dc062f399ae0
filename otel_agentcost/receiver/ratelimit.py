"""A per-client-address request rate bound (a token bucket each), for everything `serve` answers but `/healthz`.

A client over its rate gets 429 with Retry-After saying when its next request will be taken, which the OTLP
exporters honour. The address is the connection's peer: behind a proxy every client shares the proxy's bucket
(headers such as X-Forwarded-For are not trusted, since any client can send them). The table of buckets is bounded:
the least recently seen address is forgotten first (a forgotten address starts again with a full bucket).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from otel_agentcost.receiver.auth import OPEN_PATHS, TRACES_PATH
from otel_agentcost.receiver.replies import JSON, PROTOBUF, failure_response

MAX_ADDRESSES = 10_000


class _Bucket:
    __slots__ = ("tokens", "updated")

    def __init__(self, tokens: float, updated: float) -> None:
        self.tokens = tokens
        self.updated = updated


class RateLimit:
    """ASGI middleware: at most `per_second` requests a second per client address, in bursts of up to `burst`."""

    def __init__(self, app: ASGIApp, per_second: float, burst: int) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError("the rate limit needs a positive rate and a burst of at least 1")
        self._app = app
        self._rate = per_second
        self._burst = burst
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self._app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self._take(client[0] if client else "")
        if wait is None:
            await self._app(scope, receive, send)
            return
        await _refusal(scope["path"], Headers(scope=scope), wait)(scope, receive, send)

    def _take(self, address: str) -> int | None:
        """None when the request may go ahead, else the whole seconds until the address has a token again."""
        now = time.monotonic()
        bucket = self._buckets.pop(address, None) or _Bucket(float(self._burst), now)
        self._buckets[address] = bucket
        if len(self._buckets) > MAX_ADDRESSES:
            self._buckets.popitem(last=False)
        bucket.tokens = min(float(self._burst), bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return max(1, math.ceil((1 - bucket.tokens) / self._rate))


def _refusal(path: str, headers: Headers, wait: int) -> Response:
    message = f"too many requests from this address; retry after {wait} s"
    if path == TRACES_PATH:
        media_type = PROTOBUF if headers.get("content-type", "").startswith(PROTOBUF) else JSON
        return failure_response(429, message, media_type, retry_after=wait)
    return PlainTextResponse(message, status_code=429, headers={"Retry-After": str(wait)})
