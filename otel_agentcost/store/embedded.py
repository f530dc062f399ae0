"""The embedded store: chDB (ClickHouse's engine in-process) on a local directory, driven by clickhouse-connect.

chDB locks its directory: one process owns it at a time (many agent processes therefore send OTLP to the one
`otel-agentcost serve` that owns it), and one process can open only one directory. Both situations get an error
that says so instead of the engine's own message.

chDB is the optional `embedded` extra: it is imported only here, when a `chdb:` store is opened.
"""

from __future__ import annotations

import fcntl
import os
import re
import sys
from pathlib import Path

from otel_agentcost.store.errors import StoreUnavailableError
from otel_agentcost.store.interface import Store
from otel_agentcost.store.url import StoreURL

INSTALL_HINT = "pip install 'otel-agentcost[embedded]'"
_OTHER_PATH = re.compile(r"already initialized with path '([^']*)'")


def open_embedded(url: StoreURL) -> Store:
    path = Path(url.path or "")
    engine_loaded = "chdb" in sys.modules
    _require_chdb(url)
    _make_directory(path)
    if not engine_loaded:
        # Nothing in this process holds the engine yet, so a held lock is another process's. Checking first spares
        # the user the engine's own log line; later opens check only on failure (the lock is per process).
        _refuse_if_locked(path)
    import clickhouse_connect
    from clickhouse_connect.driver.exceptions import ClickHouseError

    from otel_agentcost.store.client import ClientStore

    try:
        client = clickhouse_connect.get_client(interface="chdb", path=str(path), tz_mode="aware")
    except ClickHouseError as error:
        raise _open_error(path, str(error)) from error
    return ClientStore(client, url)


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
