"""dashboards/context_growth.sql: per session, the input tokens per call of each task, task after task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from report_data import BASE, Call, insert, run

from otel_agentcost.reports import Filters, TimeWindow

WINDOW = TimeWindow(BASE, BASE + timedelta(days=1))
MINUTE = timedelta(minutes=1)
# (task, minute the call starts, input tokens, inherited tokens) of a session whose history keeps growing
GROWING = [
    ("A", 0, 1000, 0),
    ("A", 1, 1500, 0),
    ("B", 10, 3000, 2000),
    ("B", 11, 3600, 2000),
    ("B", 12, 4400, 2000),
    ("C", 20, 6000, 5000),
]
# a session that starts fresh for every task, interleaved in time with the first
FRESH = [("X", 5, 800, 0), ("Y", 15, 900, 0), ("Y", 16, 1000, 0)]


def calls(session: str, steps: list[tuple[str, int, int, int]], **fields) -> list[Call]:
    return [
        Call(
            BASE + minute * MINUTE,
            session=session,
            task=task,
            input_tokens=tokens,
            inherited_tokens=inherited,
            **fields,
        )
        for task, minute, tokens, inherited in steps
    ]


CALLS = [
    *calls("s-grow", GROWING, role="coder"),
    *calls("s-fresh", FRESH, model="acme-small"),
    Call(BASE + 30 * MINUTE, session="s-grow"),  # no task: not a step
    Call(BASE - MINUTE, session="s-grow", task="Z", input_tokens=500),  # before the window
]


@pytest.fixture(scope="module")
def fleet(store, dialect):
    insert(store, dialect, CALLS)
    return store


def test_each_sessions_tasks_in_order_with_their_input_per_call(fleet):
    rows = run(fleet, "context_growth", WINDOW)
    assert [(r["session_id"], r["task_index"], r["task_id"], r["calls"]) for r in rows] == [
        ("s-fresh", 1, "X", 1),
        ("s-fresh", 2, "Y", 2),
        ("s-grow", 1, "A", 2),
        ("s-grow", 2, "B", 3),
        ("s-grow", 3, "C", 1),
    ]
    assert [r["avg_input_tokens"] for r in rows] == pytest.approx([800, 950, 1250, 11_000 / 3, 6000])
    assert [(r["first_input_tokens"], r["last_input_tokens"]) for r in rows] == [
        (800, 800),
        (900, 1000),
        (1000, 1500),
        (3000, 4400),
        (6000, 6000),
    ]
    assert [r["inherited_tokens"] for r in rows] == [0, 0, 0, 6000, 5000]
    assert rows[3]["first_call_at"] == BASE + 10 * MINUTE


def test_filters_keep_the_calls_of_one_agent_or_model(fleet):
    assert [r["task_id"] for r in run(fleet, "context_growth", WINDOW, Filters(agent="coder"))] == ["A", "B", "C"]
    assert [r["task_index"] for r in run(fleet, "context_growth", WINDOW, Filters(model="acme-small"))] == [1, 2]
