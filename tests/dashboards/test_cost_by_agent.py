"""dashboards/cost_by_agent.sql: what each agent (and role) cost in the window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from report_data import BASE, Call, insert, price, run

from otel_agentcost.reports import Filters, TimeWindow

H = timedelta(hours=1)
CALLS = [
    Call(BASE, agent="pm-1", role="pm", output_tokens=2000),
    Call(BASE + H, agent="pm-1", role="pm", output_tokens=1000, model="acme-small"),
    Call(BASE + 2 * H, agent="coder-1", role="coder", output_tokens=5000, service="builders"),
    Call(BASE + 3 * H, role="pm", output_tokens=500),
    Call(BASE + 4 * H, output_tokens=100),
    Call(BASE + timedelta(days=2), agent="coder-1", role="coder", output_tokens=99000),
]
WINDOW = TimeWindow(BASE, BASE + timedelta(days=1))


@pytest.fixture(scope="module")
def fleet(store, dialect):
    insert(store, dialect, CALLS)
    return store


def test_each_agent_and_role_costs_its_calls_costliest_first_and_unnamed_agents_are_untagged(fleet):
    rows = run(fleet, "cost_by_agent", WINDOW)
    costs = {
        ("coder-1", "coder"): price("acme-large", 1000, 5000),
        ("pm-1", "pm"): price("acme-large", 1000, 2000) + price("acme-small", 1000, 1000),
        ("untagged", "pm"): price("acme-large", 1000, 500),
        ("untagged", ""): price("acme-large", 1000, 100),
    }
    assert [(r["agent"], r["role"]) for r in rows] == list(costs)
    assert [(r["calls"], r["input_tokens"], r["output_tokens"]) for r in rows] == [
        (1, 1000, 5000),
        (2, 2000, 3000),
        (1, 1000, 500),
        (1, 1000, 100),
    ]
    assert [r["cost_usd"] for r in rows] == pytest.approx(list(costs.values()))
    assert [r["cost_share"] for r in rows] == pytest.approx([cost / sum(costs.values()) for cost in costs.values()])
    assert {r["unpriced_calls"] for r in rows} == {0}


def test_filters_keep_calls_by_agent_or_role_service_and_model(fleet):
    by_role = run(fleet, "cost_by_agent", WINDOW, Filters(agent="pm"))
    assert [(r["agent"], r["calls"]) for r in by_role] == [("pm-1", 2), ("untagged", 1)]
    assert [r["agent"] for r in run(fleet, "cost_by_agent", WINDOW, Filters(service="builders"))] == ["coder-1"]
    assert [r["calls"] for r in run(fleet, "cost_by_agent", WINDOW, Filters(model="acme-small"))] == [1]
