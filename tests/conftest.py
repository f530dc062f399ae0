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
