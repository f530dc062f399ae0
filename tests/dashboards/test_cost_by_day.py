"""dashboards/cost_by_day.sql: calls, tokens and cost per UTC day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from report_data import BASE, Call, insert, price, run

from otel_agentcost.reports import Filters, TimeWindow

DAY = timedelta(days=1)
CALLS = [
    Call(BASE + timedelta(hours=1), output_tokens=100),
    Call(BASE + DAY - timedelta(seconds=1), output_tokens=200, model="acme-small"),  # 23:59:59 UTC, still day one
    Call(BASE + DAY, output_tokens=300),
    Call(BASE + 3 * DAY + timedelta(hours=12), output_tokens=400, role="pm"),
    Call(BASE + 9 * DAY, output_tokens=500),
]
WINDOW = TimeWindow(BASE, BASE + 5 * DAY)


@pytest.fixture(scope="module")
def fleet(store, dialect):
    insert(store, dialect, CALLS)
    return store


def test_each_utc_day_from_the_first_to_the_last_with_calls_has_a_row_gaps_as_zeros(fleet):
    rows = run(fleet, "cost_by_day", WINDOW)
    first = BASE.date()
    assert [(r["day"], r["calls"], r["output_tokens"]) for r in rows] == [
        (first, 2, 300),
        (first + DAY, 1, 300),
        (first + 2 * DAY, 0, 0),
        (first + 3 * DAY, 1, 400),
    ]
    assert [r["cost_usd"] for r in rows] == pytest.approx(
        [
            price("acme-large", 1000, 100) + price("acme-small", 1000, 200),
            price("acme-large", 1000, 300),
            0,
            price("acme-large", 1000, 400),
        ]
    )
    assert [r["input_tokens"] for r in rows] == [2000, 1000, 0, 1000]
    assert isinstance(rows[0]["day"], date)


def test_filters_and_the_window_bound_the_days(fleet):
    assert [r["day"] for r in run(fleet, "cost_by_day", WINDOW, Filters(agent="pm"))] == [BASE.date() + 3 * DAY]
    assert [r["calls"] for r in run(fleet, "cost_by_day", WINDOW, Filters(model="acme-small"))] == [1]
    assert run(fleet, "cost_by_day", TimeWindow(BASE + 4 * DAY, BASE + 5 * DAY)) == []
