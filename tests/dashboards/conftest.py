"""A chDB store per test module and dialect (see tests/report_data.py), with the schema and the test price table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from report_data import DIALECTS, PRICES

from otel_agentcost.pricing import PriceTable
from otel_agentcost.store import Store, open_store
from otel_agentcost.store.schema import init_schema


@pytest.fixture(scope="module", params=DIALECTS)
def dialect(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def store(
    request: pytest.FixtureRequest, chdb_dir: Path, dialect: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """An empty store with the schema, in a database of this module and dialect."""
    prices = tmp_path_factory.mktemp("prices") / "prices.csv"
    prices.write_text(PRICES)
    module = request.module.__name__.rpartition(".")[2]
    opened = open_store(f"chdb:{chdb_dir}?database={module}_{dialect}")
    init_schema(opened, prices=PriceTable.load(prices))
    yield opened
    opened.close()
