"""Fixtures for the receiver tests: SDK spans, a real embedded ClickHouse (chDB) store with the schema, and `serve`
running in its own process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from receiver_support import ServeProcess, make_sdk_spans

from otel_agentcost.store import Store, open_store
from otel_agentcost.store.schema import init_schema


@pytest.fixture
def sdk_spans() -> list[ReadableSpan]:
    return make_sdk_spans()


@pytest.fixture(scope="module")
def chdb_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Shared by a module's tests. chDB opens one directory per process at a time, so it is closed before the
    next module opens its own."""
    store = open_store(f"chdb:{tmp_path_factory.mktemp('chdb')}")
    init_schema(store)
    yield store
    store.close()


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[ServeProcess]:
    """`serve` on a fresh chDB directory in its own process; killed at teardown if a test left it running."""
    process = ServeProcess(tmp_path / "chdb", tmp_path / "serve.log")
    yield process
    process.kill()
