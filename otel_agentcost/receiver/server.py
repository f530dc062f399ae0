"""`otel-agentcost serve`: the receiver app on uvicorn, owning the store for every agent process on the machine.

The listening socket is bound before the store is opened, so a port in use is reported before anything else is
touched. Beyond loopback, every request but /healthz needs the token (see auth.py) unless the caller said
`insecure_no_auth`, which is logged as a warning.

Shutdown (SIGTERM, SIGINT) goes through uvicorn: it stops accepting connections, lets the requests in flight
finish (each waits until its spans are journalled), then the app stores what the journal holds and closes the
store. SIGKILL loses nothing acknowledged either: the next start stores the journal first.
"""

from __future__ import annotations

import contextlib
import gc
import ipaddress
import logging
import socket
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from otel_agentcost.receiver.app import (
    DEFAULT_JOURNAL_MAX_BYTES,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_QUEUE_SPANS,
    create_app,
)
from otel_agentcost.receiver.journal import Journal, default_journal_dir
from otel_agentcost.store import Store, open_store
from otel_agentcost.store.schema import SCHEMA_VERSION, init_schema, installed_version
from otel_agentcost.store.url import StoreURL, parse_store_url

_log = logging.getLogger(__name__)

# Seconds an idle keep-alive connection stays open: exporters send a batch every few seconds.
_KEEP_ALIVE_SECONDS = 30


# Requests a second per client address when listening beyond loopback. On loopback every agent of the machine is
# the same address, so one bucket would throttle them all together; the queue and journal bounds protect serve there.
DEFAULT_RATE_LIMIT = 100.0
_WITHOUT_DEDUP_SQL = Path(__file__).parent / "sql" / "spans_table_without_dedup.sql"
# New container objects between young collections (CPython's default: 700), about a hundred requests' rows.
_GC_YOUNG_THRESHOLD = 200_000


class RemoteListenRefused(ValueError):
    """`serve` was asked to listen beyond this machine without a token and without saying to go without one."""


def check_listen_host(host: str, token: str | None, insecure_no_auth: bool) -> None:
    """Beyond loopback only with a token, or with `insecure_no_auth` (logged): anyone who can reach an open receiver
    could write spans and read every dashboard."""
    if token is not None and insecure_no_auth:
        raise RemoteListenRefused("a token and insecure_no_auth contradict each other: give one or the other")
    if token is not None or _is_loopback(host):
        return
    if insecure_no_auth:
        _log.warning(
            "listening on %s with NO authentication (insecure_no_auth): anyone who can reach it can write spans "
            "and read the dashboards",
            host,
        )
        return
    raise RemoteListenRefused(
        f"refusing to listen on {host!r} without a token: anyone who can reach it could write spans and read the "
        "dashboards; give a token (--token-file FILE or AGENTCOST_SERVE_TOKEN), or --insecure-no-auth on a "
        "network you trust"
    )


def serve(
    store_url: str | None,
    host: str = "127.0.0.1",
    port: int = 4318,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    queue_spans: int = DEFAULT_QUEUE_SPANS,
    ready: threading.Event | None = None,
    token: str | None = None,
    insecure_no_auth: bool = False,
    rate_limit: float | None = None,
    journal_dir: Path | None = None,
    journal_max_bytes: int = DEFAULT_JOURNAL_MAX_BYTES,
    routes: Callable[[Store], Sequence[BaseRoute]] | None = None,
) -> None:
    """Receive OTLP/HTTP on host:port and store spans in `store_url` (default: AGENTCOST_STORE, else the local chDB
    directory) until SIGTERM/SIGINT. Blocks. `ready` is set once the socket accepts connections.

    A store without the current schema (a fresh chDB directory, or one an older version initialised) gets it
    first, as `db init` would, so the embedded default needs no separate step. `routes`, given the open store,
    returns the routes served beside the receiver's (the dashboards page at `/`, which reads that store).
    Acknowledged requests wait in `journal_dir` (default: see journal.default_journal_dir) until stored; what an
    earlier run left there is stored first. `token` guards every path but /healthz (required beyond loopback unless
    `insecure_no_auth`); `rate_limit` bounds each client address's requests a second (0: unbounded; None: the
    default, DEFAULT_RATE_LIMIT beyond loopback and unbounded on it).
    """
    check_listen_host(host, token, insecure_no_auth)
    url = parse_store_url(store_url)
    listener = _listen(host, port)
    with contextlib.ExitStack() as opened:
        opened.callback(listener.close)
        journal = Journal(journal_dir or default_journal_dir(url))
        opened.callback(journal.close)
        store = _open_with_schema(url)
        opened.pop_all()

    def close() -> None:
        store.close()
        journal.close()

    app = create_app(
        store,
        journal,
        journal_max_bytes=journal_max_bytes,
        max_body_bytes=max_body_bytes,
        queue_spans=queue_spans,
        routes=routes(store) if routes is not None else (),
        on_shutdown=close,
        token=token,
        rate_limit=effective_rate_limit(rate_limit, host),
    )
    _log.info("receiving OTLP/HTTP on http://%s/v1/traces, storing in %s", _authority(host, port), store.url)
    _log.info("journal of acknowledged spans not yet stored: %s", journal.directory)
    _collect_less()
    ReceiverServer(app, ready).run(sockets=[listener])


def _collect_less() -> None:
    """Spare the receiver most of the cyclic garbage collector's passes, which took a sixth of its CPU under load.

    What was loaded by now (the engine's driver and its numpy and pandas modules, the app) stays for the process's
    life, yet every full collection walked it again: frozen, no collection does. The rows decoded from requests
    hold no reference cycles, and tens of thousands of them wait at a time for their insert: a collection every
    700 new container objects (the default) would walk them over and over.
    """
    gc.freeze()
    gc.set_threshold(_GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def effective_rate_limit(asked: float | None, host: str) -> float | None:
    """The rate bound serve applies: `asked`, with 0 as none and None as the default for `host`."""
    if asked is None:
        return None if _is_loopback(host) else DEFAULT_RATE_LIMIT
    return asked or None


def _open_with_schema(url: StoreURL) -> Store:
    store = open_store(url)
    try:
        if installed_version(store) != SCHEMA_VERSION:
            init_schema(store)
        warn_without_dedup(store)
    except BaseException:
        store.close()
        raise
    return store


def warn_without_dedup(store: Store) -> None:
    """Say how to fix a spans table made before the journal, which would store a replayed batch twice."""
    rows = store.query(_WITHOUT_DEDUP_SQL.read_text(), {"database": store.database})
    if rows and rows[0]["without_dedup"]:
        _log.warning(
            "%s.otel_traces keeps no deduplication window, so a batch replayed after a crash could be stored twice; "
            "fix it once with: ALTER TABLE %s.otel_traces MODIFY SETTING non_replicated_deduplication_window = 1000",
            store.database,
            store.database,
        )


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
