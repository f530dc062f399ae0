"""The embedded store: chDB (ClickHouse's engine in-process) on a local directory, driven by clickhouse-connect.

chDB locks its directory: one process owns it at a time (many agent processes therefore send OTLP to the one
`otel-agentcost serve` that owns it), and one process can open only one directory. Both situations get an error
that says so instead of the engine's own message.

Span inserts hand their Arrow table to the engine in memory, through chDB's own connection and its Python() table
function (sql/insert_spans.sql); everything else goes through the clickhouse-connect client, as on a server.

chDB is the optional `embedded` extra: it is imported only here, when a `chdb:` store is opened.
"""

from __future__ import annotations

import fcntl
import os
import re
import sys
import threading
from pathlib import Path
from typing import Any

from otel_agentcost.store.arrow import block_table
from otel_agentcost.store.block import SpanBlock
from otel_agentcost.store.client import ClientStore
from otel_agentcost.store.errors import StoreUnavailableError
from otel_agentcost.store.interface import Store
from otel_agentcost.store.schema import read_sql
from otel_agentcost.store.url import StoreURL

INSTALL_HINT = "pip install 'otel-agentcost[embedded]'"
_OTHER_PATH = re.compile(r"already initialized with path '([^']*)'")
_ERROR_CODE = re.compile(r"\bCode: (\d+)\.")


def open_embedded(url: StoreURL) -> Store:
    path = Path(url.path or "")
    engine_loaded = "chdb" in sys.modules
    _require_chdb(url)
    _make_directory(path)
    if not engine_loaded:
        # Nothing in this process holds the engine yet, so a held lock is another process's. Checking first spares
        # the user the engine's own log line; later opens check only on failure (the lock is per process).
        _refuse_if_locked(path)
    import chdb
    import clickhouse_connect
    from clickhouse_connect.driver.exceptions import ClickHouseError

    try:
        client = clickhouse_connect.get_client(interface="chdb", path=str(path), tz_mode="aware")
    except ClickHouseError as error:
        raise _open_error(path, str(error)) from error
    try:
        engine = chdb.connect(str(path))
    except Exception as error:
        client.close()
        raise _open_error(path, str(error)) from error
    return EmbeddedStore(client, url, engine)


class EmbeddedStore(ClientStore):
    """The client store on chDB, with a second connection to the same engine for span inserts (chDB allows any
    number; the engine is the process's one). A connection takes one statement at a time, hence the lock."""

    def __init__(self, client: Any, url: StoreURL, engine: Any) -> None:
        super().__init__(client, url)
        self._engine = engine
        self._engine_lock = threading.Lock()
        self._insert_sql = read_sql("insert_spans")

    def _insert_block(self, block: SpanBlock, dedup_token: str | None) -> None:
        from chdb import ChdbError
        from clickhouse_connect.driver.exceptions import DatabaseError

        spans = block_table(block)  # noqa: F841  # read by name: the statement's Python(spans)
        parameters = {"database": self.database, "token": dedup_token or ""}
        try:
            with self._engine_lock:
                self._engine.query(self._insert_sql, "TabSeparated", params=parameters)
        except ChdbError as error:  # as the driver's own errors, which the store translates for the user
            raise DatabaseError(str(error), code=_error_code(str(error))) from error

    def close(self) -> None:
        if self._closed:
            return
        super().close()
        with self._engine_lock:
            self._engine.close()


def _require_chdb(url: StoreURL) -> None:
    try:
        import chdb  # noqa: F401
    except ImportError:
        raise StoreUnavailableError(
            f"the store {url} needs the embedded ClickHouse engine (chDB), which is not installed: {INSTALL_HINT}"
        ) from None


def _make_directory(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreUnavailableError(f"cannot create the chDB directory {path}: {error.strerror}") from None


def _open_error(path: Path, message: str) -> StoreUnavailableError:
    other = _OTHER_PATH.search(message)
    if other:
        return StoreUnavailableError(
            f"cannot open the chDB directory {path}: this process already has {other.group(1)} open and chDB "
            "allows one directory per process; close that store first"
        )
    _refuse_if_locked(path)
    return StoreUnavailableError(f"cannot open the chDB directory {path}: {message}")


def _error_code(message: str) -> int | None:
    found = _ERROR_CODE.search(message)
    return int(found.group(1)) if found else None


def _refuse_if_locked(path: Path) -> None:
    """Raise when another process owns the directory (the engine holds an flock on its `status` file)."""
    status = path / "status"
    try:
        fd = os.open(status, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
    except BlockingIOError:
        raise StoreUnavailableError(
            f"the chDB directory {path} is in use by another process{_owner(status)}: one process owns a chDB "
            "directory at a time. Send spans to it through `otel-agentcost serve` running there, stop it, "
            "or use another directory"
        ) from None
    finally:
        os.close(fd)


def _owner(status: Path) -> str:
    """' (PID n)' from the status file the engine writes, when it can be read."""
    try:
        match = re.search(r"PID:\s*(\d+)", status.read_text(errors="replace"))
    except OSError:
        return ""
    return f" (PID {match.group(1)})" if match else ""
