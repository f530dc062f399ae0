"""Fixtures shared by the store and command-line tests.

chDB opens one directory per process at a time, so each test module gets its own directory, and whatever holds
it open (a store, the HTTP fixture) is module-scoped and closed when the module ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from chdb_http import ChdbHttpServer


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Spools default to `$XDG_CACHE_HOME/otel-agentcost/spool/`: the tests' (and their subprocesses') go to the
    session's temporary directory, not the user's cache."""
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    yield
    patch.undo()


@pytest.fixture(scope="module")
def chdb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The chDB directory of one test module."""
    return tmp_path_factory.mktemp("chdb")


@pytest.fixture(scope="module")
def chdb_http(chdb_dir: Path) -> Iterator[ChdbHttpServer]:
    """The ClickHouse HTTP interface served from `chdb_dir` on 127.0.0.1 (see chdb_http.py)."""
    from chdb_http import ChdbHttpServer  # imports chDB, so only for the modules that use it

    server = ChdbHttpServer(str(chdb_dir))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def owned_chdb_dir(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """(directory, pid): a chDB directory another process holds open for the duration of the test."""
    from chdb_owner import held_by_another_process

    with held_by_another_process(tmp_path) as pid:
        yield tmp_path, pid
