"""otel_agentcost.reports.formatting: cells as a person reads them, by the column's naming convention."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from otel_agentcost.reports.formatting import column_title, format_value


@pytest.mark.parametrize(
    ("column", "value", "text"),
    [
        ("cost_usd", 1234.5678, "$1,234.57"),
        ("wasted_cost_usd", 0.25, "$0.25"),
        ("heartbeat_cost_usd", 0.0042, "$0.0042"),
        ("cost_usd", 0.0000123, "$1.2e-05"),
        ("cost_usd", 0.0, "$0.00"),
        ("cost_usd", Decimal("35.1"), "$35.10"),
        ("inherited_share", 0.4213, "42.1%"),
        ("avg_grade", 0.61349, "0.613"),
        ("median_interval_minutes", 30.0, "30.0"),
        ("output_tokens", 1547000, "1,547,000"),
        ("units", 612, "612"),
        ("ratio", 1.23456, "1.235"),
        ("idle", True, "yes"),
        ("idle", False, "no"),
        ("band", "5k-15k", "5k-15k"),
        ("grade", None, ""),
        ("first_call_at", datetime(2026, 3, 2, 9, 30, 12, tzinfo=timezone.utc), "2026-03-02 09:30"),
        ("day", date(2026, 3, 2), "2026-03-02"),
    ],
)
def test_cells_follow_the_column_naming_convention(column, value, text):
    assert format_value(column, value) == text


@pytest.mark.parametrize(
    ("column", "title"),
    [("noop_blocked", "NOOP + blocked"), ("wasted_cost_usd", "Wasted cost USD"), ("units", "Units")],
)
def test_headers_read_like_the_designs_tables(column, title):
    assert column_title(column) == title
