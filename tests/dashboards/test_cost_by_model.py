"""dashboards/cost_by_model.sql: what each model cost in the window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from report_data import BASE, Call, insert, price, run

from otel_agentcost.reports import Filters, TimeWindow

CALLS = [
    Call(BASE, session="s-1", model="acme-large", input_tokens=2000, output_tokens=500, agent="pm-1"),
    Call(BASE + timedelta(hours=1), session="s-1", model="acme-large", input_tokens=1000, output_tokens=100),
    Call(BASE + timedelta(hours=2), session="s-2", model="acme-small", input_tokens=4000, output_tokens=50, role="pm"),
    Call(BASE + timedelta(days=3), session="s-3", model="acme-small", input_tokens=10, output_tokens=10),
]
WINDOW = TimeWindow(BASE, BASE + timedelta(days=1))


@pytest.fixture(scope="module")
def fleet(store, dialect):
    insert(store, dialect, CALLS)
    return store


def test_each_model_costs_its_calls_at_the_price_table_costliest_first(fleet):
    rows = run(fleet, "cost_by_model", WINDOW)
    large = price("acme-large", 2000, 500) + price("acme-large", 1000, 100)
    small = price("acme-small", 4000, 50)
    assert [(r["provider"], r["model"], r["calls"]) for r in rows] == [
        ("acme", "acme-large", 2),
        ("acme", "acme-small", 1),
    ]
    assert [r["cost_usd"] for r in rows] == pytest.approx([large, small])
    assert [r["cost_share"] for r in rows] == pytest.approx([large / (large + small), small / (large + small)])
    assert (rows[0]["input_tokens"], rows[0]["output_tokens"], rows[0]["unpriced_calls"]) == (3000, 600, 0)


def test_filters_keep_one_agent_by_name_or_role(fleet):
    assert [r["calls"] for r in run(fleet, "cost_by_model", WINDOW, Filters(agent="pm-1"))] == [1]
    assert [r["model"] for r in run(fleet, "cost_by_model", WINDOW, Filters(agent="pm"))] == ["acme-small"]
    assert run(fleet, "cost_by_model", WINDOW, Filters(service="elsewhere")) == []
