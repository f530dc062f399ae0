"""dashboards/cost_by_trigger.sql: what each trigger (user, heartbeat, ...) cost in the window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from report_data import BASE, Call, every, insert, price, run

from otel_agentcost.reports import Filters, TimeWindow

HEARTBEATS = [
    Call(at, session="s-1", trigger="heartbeat", output_tokens=20) for at in every(BASE, timedelta(minutes=30), 48)
]
CALLS = [
    *HEARTBEATS,
    Call(BASE + timedelta(hours=2), session="s-1", trigger="user", output_tokens=3000, agent="pm-1"),
    Call(BASE + timedelta(hours=3), session="s-2", trigger="schedule", output_tokens=800, model="acme-small"),
    Call(BASE + timedelta(hours=4), session="s-3", output_tokens=50),
    Call(BASE + timedelta(hours=5), session="s-3", output_tokens=50),
    Call(BASE - timedelta(hours=1), session="s-1", trigger="user", output_tokens=90000),
]
WINDOW = TimeWindow(BASE, BASE + timedelta(days=1))


@pytest.fixture(scope="module")
def fleet(store, dialect):
    insert(store, dialect, CALLS)
    return store


def test_each_trigger_costs_its_calls_costliest_first_and_calls_without_one_are_untagged(fleet):
    rows = run(fleet, "cost_by_trigger", WINDOW)
    costs = {
        "heartbeat": 48 * price("acme-large", 1000, 20),
        "user": price("acme-large", 1000, 3000),
        "untagged": 2 * price("acme-large", 1000, 50),
        "schedule": price("acme-small", 1000, 800),
    }
    assert [(r["trigger"], r["calls"]) for r in rows] == [
        ("heartbeat", 48),
        ("user", 1),
        ("untagged", 2),
        ("schedule", 1),
    ]
    assert [r["cost_usd"] for r in rows] == pytest.approx(list(costs.values()))
    assert [r["cost_share"] for r in rows] == pytest.approx([cost / sum(costs.values()) for cost in costs.values()])
    assert [(r["input_tokens"], r["output_tokens"]) for r in rows] == [
        (48000, 960),
        (1000, 3000),
        (2000, 100),
        (1000, 800),
    ]


def test_filters_keep_calls_by_agent_and_model(fleet):
    assert [r["trigger"] for r in run(fleet, "cost_by_trigger", WINDOW, Filters(agent="pm-1"))] == ["user"]
    assert [r["trigger"] for r in run(fleet, "cost_by_trigger", WINDOW, Filters(model="acme-small"))] == ["schedule"]
