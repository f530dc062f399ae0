"""`otel-agentcost serve`: the receiver app on uvicorn, owning the store for every agent process on the machine.

The listening socket is bound before the store is opened, so a port in use is reported before anything else is
touched. Shutdown (SIGTERM, SIGINT) goes through uvicorn: it stops accepting connections, lets the requests in
flight finish (each waits until its spans are stored), then the app drains the writer and closes the store.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
from collections.abc import Callable, Sequence

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from otel_agentcost.receiver.app import DEFAULT_MAX_BODY_BYTES, DEFAULT_QUEUE_SPANS, create_app
from otel_agentcost.store import Store, open_store
from otel_agentcost.store.schema import SCHEMA_VERSION, init_schema, installed_version

_log = logging.getLogger(__name__)

# Seconds an idle keep-alive connection stays open: exporters send a batch every few seconds.
_KEEP_ALIVE_SECONDS = 30


class RemoteListenRefused(ValueError):
    """`serve` was asked to listen beyond this machine without saying so explicitly."""


def check_listen_host(host: str, allow_remote: bool) -> None:
    """Only loopback unless `allow_remote`: the receiver has no authentication yet, so anyone who can reach it
    could write spans."""
    if allow_remote or _is_loopback(host):
        return
    raise RemoteListenRefused(
        f"refusing to listen on {host!r}: the receiver has no authentication, so only loopback addresses "
        "(127.0.0.1, ::1, localhost) are allowed; pass allow_remote=True only on a network you trust"
    )


def serve(
    store_url: str | None,
    host: str = "127.0.0.1",
    port: int = 4318,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    queue_spans: int = DEFAULT_QUEUE_SPANS,
    ready: threading.Event | None = None,
    allow_remote: bool = False,
    routes: Callable[[Store], Sequence[BaseRoute]] | None = None,
) -> None:
    """Receive OTLP/HTTP on host:port and store spans in `store_url` (default: AGENTCOST_STORE, else the local chDB
    directory) until SIGTERM/SIGINT. Blocks. `ready` is set once the socket accepts connections.

    A store without the current schema (a fresh chDB directory, or one an older version initialised) gets it
    first, as `db init` would, so the embedded default needs no separate step. `routes`, given the open store,
    returns the routes served beside the receiver's (the dashboards page at `/`, which reads that store).
    """
    check_listen_host(host, allow_remote)
    listener = _listen(host, port)
    try:
        store = _open_with_schema(store_url)
    except BaseException:
        listener.close()
        raise
    app = create_app(
        store,
        max_body_bytes=max_body_bytes,
        queue_spans=queue_spans,
        routes=routes(store) if routes is not None else (),
        on_shutdown=store.close,
    )
    _log.info("receiving OTLP/HTTP on http://%s/v1/traces, storing in %s", _authority(host, port), store.url)
    ReceiverServer(app, ready).run(sockets=[listener])


def _open_with_schema(store_url: str | None) -> Store:
    store = open_store(store_url)
    try:
        if installed_version(store) != SCHEMA_VERSION:
            init_schema(store)
    except BaseException:
        store.close()
        raise
    return store


class ReceiverServer(uvicorn.Server):
    """uvicorn configured for the receiver, setting `ready` once it accepts connections. `run(sockets=[...])`
    blocks until SIGTERM/SIGINT (in the main thread) or until `should_exit` is set."""

    def __init__(self, app: Starlette, ready: threading.Event | None = None) -> None:
        super().__init__(uvicorn.Config(app, lifespan="on", timeout_keep_alive=_KEEP_ALIVE_SECONDS, access_log=False))
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self._ready is not None:
            self._ready.set()


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as error:
        raise OSError(
            error.errno, f"cannot listen on {_authority(host, port)}: {error.strerror}; choose another port"
        ) from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
