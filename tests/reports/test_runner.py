"""Running a dashboard query on a store whose database exists but whose views do not yet."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from otel_agentcost.reports.runner import run_query
from otel_agentcost.reports.window import TimeWindow
from otel_agentcost.store import SchemaMissingError, open_store

WINDOW = TimeWindow(datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 2, 1, tzinfo=timezone.utc))


def test_a_query_on_a_database_without_the_views_names_the_view_and_db_init(chdb_dir):
    with open_store(f"chdb:{chdb_dir}?database=runner_no_views") as store:
        store.command("CREATE DATABASE IF NOT EXISTS runner_no_views")
        with pytest.raises(SchemaMissingError, match=r"agentcost_selected_calls .*otel-agentcost db init --store"):
            run_query(store, "cost_by_day", WINDOW)
