"""dashboards/cost_by_provider.sql: what each provider cost in the window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from report_data import BASE, Call, insert, price, run

from otel_agentcost.reports import Filters, TimeWindow

H = timedelta(hours=1)
CALLS = [
    Call(BASE, provider="acme", model="acme-large", input_tokens=2000, output_tokens=500, role="pm"),
    Call(BASE + H, provider="acme", model="acme-small", input_tokens=1000, output_tokens=100),
    Call(BASE + 2 * H, provider="zenith", model="acme-small", input_tokens=400, output_tokens=50, agent="z-1"),
    Call(BASE + 3 * H, provider="", model="acme-small", input_tokens=8000, output_tokens=10),
    Call(BASE + timedelta(days=2), provider="acme", model="acme-large", input_tokens=10, output_tokens=10),
]
WINDOW = TimeWindow(BASE, BASE + timedelta(days=1))


@pytest.fixture(scope="module")
def fleet(store, dialect):
    insert(store, dialect, CALLS)
    return store


def test_each_provider_costs_its_calls_costliest_first_and_unnamed_ones_are_untagged(fleet):
    rows = run(fleet, "cost_by_provider", WINDOW)
    acme = price("acme-large", 2000, 500) + price("acme-small", 1000, 100)
    untagged, zenith = price("acme-small", 8000, 10), price("acme-small", 400, 50)
    total = acme + untagged + zenith
    assert [(r["provider"], r["calls"], r["unpriced_calls"]) for r in rows] == [
        ("acme", 2, 0),
        ("untagged", 1, 0),
        ("zenith", 1, 0),
    ]
    assert [r["cost_usd"] for r in rows] == pytest.approx([acme, untagged, zenith])
    assert [r["cost_share"] for r in rows] == pytest.approx([acme / total, untagged / total, zenith / total])
    assert [(r["input_tokens"], r["output_tokens"], r["cache_read_tokens"]) for r in rows] == [
        (3000, 600, 0),
        (8000, 10, 0),
        (400, 50, 0),
    ]


def test_filters_keep_calls_by_agent_or_role_service_and_model(fleet):
    assert [(r["provider"], r["calls"]) for r in run(fleet, "cost_by_provider", WINDOW, Filters(agent="pm"))] == [
        ("acme", 1)
    ]
    assert [r["provider"] for r in run(fleet, "cost_by_provider", WINDOW, Filters(agent="z-1"))] == ["zenith"]
    assert [r["calls"] for r in run(fleet, "cost_by_provider", WINDOW, Filters(model="acme-large"))] == [1]
    assert run(fleet, "cost_by_provider", WINDOW, Filters(service="elsewhere")) == []
