"""The stand-in server: a Starlette app on uvicorn in a background thread, answering from a queue of Replies.

A real HTTP server (not a mocked transport) so the SDKs' own retry, streaming and error paths run unchanged.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from otel_agentcost.standin import anthropic_messages, openai_chat, openai_embeddings, openai_responses
from otel_agentcost.standin.faults import cut, garble_event, garble_usage
from otel_agentcost.standin.reply import Exchange, RecordedRequest, Reply, Usage
from otel_agentcost.standin.vendors import OPENAI, scripted_message
from otel_agentcost.standin.wire import Endpoint, Vendor, to_json

ENDPOINTS: dict[str, Endpoint] = {
    endpoint.path: endpoint
    for endpoint in (
        openai_chat.ENDPOINT,
        openai_responses.ENDPOINT,
        openai_embeddings.ENDPOINT,
        anthropic_messages.ENDPOINT,
    )
}
_STARTUP_TIMEOUT_S = 10.0
_JSON = "application/json"
_EVENT_STREAM = "text/event-stream; charset=utf-8"


class StandinLLM:
    """Serves scripted replies to the real OpenAI and Anthropic SDKs over HTTP on 127.0.0.1.

    Replies are answered in FIFO order whatever the endpoint; with none queued, ``Reply()`` answers. Every
    request is recorded, including retries and requests the server rejects. A request that is not a JSON
    object with a ``model`` gets the vendor's 400 and consumes no reply.
    """

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("StandinLLM is not running: call start() or enter it with `with` first")
        return f"http://127.0.0.1:{self._port}"

    @property
    def openai_base_url(self) -> str:
        return self.url + "/v1"

    @property
    def anthropic_base_url(self) -> str:
        return self.url

    def enqueue(self, *replies: Reply) -> None:
        for reply in replies:
            if not isinstance(reply, Reply):
                raise TypeError(f"enqueue takes Reply objects, got {type(reply).__name__}: {reply!r}")
        with self._lock:
            self._replies.extend(replies)

    def clear(self) -> None:
        """Forgets recorded requests and replies still queued, so one server can serve many tests."""
        with self._lock:
            self._replies.clear()
            self.requests.clear()

    def start(self) -> StandinLLM:
        if self._server is not None:
            raise RuntimeError(f"StandinLLM is already running at {self.url}")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Accepted connections inherit this; without it Nagle holds each response body back for the client's
        # delayed ACK, about 40 ms on every reused keep-alive connection.
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        listener.bind(("127.0.0.1", 0))
        config = uvicorn.Config(
            self._app(), log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=1
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name="standin-llm", daemon=True)
        thread.start()
        deadline = time.monotonic() + _STARTUP_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                listener.close()
                raise RuntimeError("the stand-in LLM server did not start; see the uvicorn log above")
            time.sleep(0.002)
        self._server, self._thread, self._port = server, thread, listener.getsockname()[1]
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=_STARTUP_TIMEOUT_S)
        self._server = self._thread = self._port = None

    def __enter__(self) -> StandinLLM:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def _app(self) -> Starlette:
        methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        return Starlette(routes=[Route("/{path:path}", self._handle, methods=methods)])

    async def _handle(self, request: Request) -> Response:
        body = _parse_json(await request.body())
        endpoint = ENDPOINTS.get(request.url.path) if request.method == "POST" else None
        servable = endpoint is not None and isinstance(body, dict) and bool(body.get("model"))
        with self._lock:  # at once, so that a request seen in `requests` has already taken its reply
            self.requests.append(RecordedRequest(request.method, request.url.path, dict(request.headers), body))
            reply = self._replies.popleft() if servable and self._replies else Reply()
        if endpoint is None:
            return _unknown_route(request)
        if not servable:
            message = f"{endpoint.path} needs a JSON object body with a `model` field"
            return _error(endpoint.vendor, 400, None, message, {})
        if reply.delay_s:
            await asyncio.sleep(reply.delay_s)
        return _respond(endpoint, reply, body)


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _error(vendor: Vendor, status: int, error_type: str | None, message: str, headers: dict[str, str]) -> Response:
    request_id = vendor.new_request_id()
    body = vendor.error_body(status, error_type, message, request_id)
    all_headers = {**vendor.headers, vendor.request_id_header: request_id, **headers}
    return Response(to_json(body), status_code=status, media_type=_JSON, headers=all_headers)


def _unknown_route(request: Request) -> Response:
    served = ", ".join(f"POST {path}" for path in ENDPOINTS)
    message = f"Unknown request URL: {request.method} {request.url.path}. The stand-in LLM serves {served}."
    return _error(OPENAI, 404, "invalid_request_error", message, {})


def _respond(endpoint: Endpoint, reply: Reply, request: dict[str, Any]) -> Response:
    vendor = endpoint.vendor
    if reply.is_error:
        return _error(vendor, reply.status, reply.error_type, scripted_message(reply.status), reply.headers)
    headers = {**vendor.headers, vendor.request_id_header: vendor.new_request_id(), **reply.headers}
    render_stream = endpoint.stream if request.get("stream") is True else None
    if reply.raw_body is not None:
        media_type = _JSON if render_stream is None else _EVENT_STREAM
        return Response(reply.raw_body, media_type=media_type, headers=headers)
    exchange = Exchange(reply, request, Usage.resolve(reply, endpoint.prompt(request)))
    if render_stream is not None:
        events = [garble_event(event, reply.usage_fields) for event in render_stream(exchange)]
        if reply.malformed:
            events[0] = cut(events[0].rstrip("\n")) + "\n\n"
        events = events[: reply.truncate_stream_after]
        headers["cache-control"] = "no-cache"
        return StreamingResponse(_emit(events), media_type=_EVENT_STREAM, headers=headers)
    text = to_json(garble_usage(endpoint.complete(exchange), reply.usage_fields))
    return Response(cut(text) if reply.malformed else text, media_type=_JSON, headers=headers)


async def _emit(events: list[str]) -> AsyncIterator[str]:
    """One write per event, so the client receives them as separate chunks, as from the real APIs."""
    for event in events:
        yield event
