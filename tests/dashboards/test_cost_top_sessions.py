"""dashboards/cost_top_sessions.sql: the costliest sessions, with their tasks and heartbeats."""

from __future__ import annotations

from datetime import timedelta

import pytest
from report_data import BASE, Call, every, insert, price, run

from otel_agentcost.reports import Filters, TimeWindow

H = timedelta(hours=1)
CALLS = [
    *[Call(at, session="s-idle", trigger="heartbeat", output_tokens=10) for at in every(BASE, 0.5 * H, 10)],
    Call(BASE + H, session="s-work", task="t-1", agent="pm-1", role="pm", output_tokens=4000),
    Call(BASE + 2 * H, session="s-work", task="t-1", agent="pm-1", role="pm", output_tokens=1000),
    Call(BASE + 3 * H, session="s-work", task="t-2", agent="pm-1", role="pm", output_tokens=2000),
    Call(BASE + 4 * H, session="s-work", trigger="heartbeat", agent="pm-1", output_tokens=10),
    Call(BASE + 5 * H, session="s-small", model="acme-small", output_tokens=100, agent="coder-1"),
    Call(BASE + 6 * H, task="t-loose", output_tokens=3000),  # no session: in no row, but in the total
    Call(BASE + timedelta(days=3), session="s-later", output_tokens=90000),
]
WINDOW = TimeWindow(BASE, BASE + timedelta(days=1))
COSTS = {
    "s-work": price("acme-large", 3000, 7000) + price("acme-large", 1000, 10),
    "s-idle": 10 * price("acme-large", 1000, 10),
    "s-small": price("acme-small", 1000, 100),
}
TOTAL = sum(COSTS.values()) + price("acme-large", 1000, 3000)


@pytest.fixture(scope="module")
def fleet(store, dialect):
    insert(store, dialect, CALLS)
    return store


def test_sessions_costliest_first_with_their_tasks_heartbeats_and_share(fleet):
    rows = run(fleet, "cost_top_sessions", WINDOW)
    assert [(r["session_id"], r["agent"], r["calls"], r["tasks"], r["heartbeat_calls"]) for r in rows] == [
        ("s-work", "pm-1", 4, 2, 1),
        ("s-idle", "", 10, 0, 10),
        ("s-small", "coder-1", 1, 0, 0),
    ]
    assert [r["cost_usd"] for r in rows] == pytest.approx(list(COSTS.values()))
    assert [r["cost_share"] for r in rows] == pytest.approx([cost / TOTAL for cost in COSTS.values()])
    assert [(r["input_tokens"], r["output_tokens"]) for r in rows] == [(4000, 7010), (10000, 100), (1000, 100)]
    assert [(r["first_call_at"], r["last_call_at"]) for r in rows] == [
        (BASE + H, BASE + 4 * H),
        (BASE, BASE + 4.5 * H),
        (BASE + 5 * H, BASE + 5 * H),
    ]


def test_limit_keeps_the_costliest(fleet):
    assert [r["session_id"] for r in run(fleet, "cost_top_sessions", WINDOW, limit=1)] == ["s-work"]


def test_filters_keep_calls_by_agent_or_role_and_model(fleet):
    assert [r["session_id"] for r in run(fleet, "cost_top_sessions", WINDOW, Filters(agent="pm"))] == ["s-work"]
    assert [r["calls"] for r in run(fleet, "cost_top_sessions", WINDOW, Filters(agent="pm-1"))] == [4]
    assert [r["session_id"] for r in run(fleet, "cost_top_sessions", WINDOW, Filters(model="acme-small"))] == [
        "s-small"
    ]
