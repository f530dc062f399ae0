"""The store under test, once per backend: embedded chDB, and the clickhouse-connect server backend talking HTTP
to the chDB HTTP fixture (no ClickHouse server can be installed here; see tests/chdb_http.py).

Both backends of a module share the module's chDB directory (a process opens one directory at a time), each in a
database of its own so that their rows never meet.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from otel_agentcost.store import Store, open_store

BACKENDS = ("embedded", "server")


def open_backend(request: pytest.FixtureRequest, chdb_dir: Path, database: str) -> Store:
    if request.param == "embedded":
        return open_store(f"chdb:{chdb_dir}?database={database}")
    return open_store(request.getfixturevalue("chdb_http").url(database))


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, chdb_dir: Path) -> Iterator[Store]:
    """An open store whose database does not exist yet."""
    opened = open_backend(request, chdb_dir, f"{request.param}_{request.module.__name__.rpartition('.')[2]}")
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def other_database(store: Store) -> Iterator[Callable[[str], Store]]:
    """Opens a store of the same backend on another database of the module's; all are closed with the module."""
    opened: list[Store] = []

    def open_database(name: str) -> Store:
        opened.append(open_store(dataclasses.replace(store.url, database=f"{store.database}_{name}")))
        return opened[-1]

    yield open_database
    for each in opened:
        each.close()
