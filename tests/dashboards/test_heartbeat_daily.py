"""dashboards/heartbeat_daily.sql: heartbeat calls, tokens and cost per UTC day and session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from report_data import BASE, Call, every, insert, price, run

from otel_agentcost.reports import Filters, TimeWindow

HOUR = timedelta(hours=1)
DAY_1, DAY_2 = BASE.date(), (BASE + timedelta(days=1)).date()
WINDOW = TimeWindow(BASE, BASE + timedelta(days=2))
# hourly from 20:00 on day 1 to 04:00 on day 2: 4 beats on day 1, 5 on day 2
NIGHT = [
    Call(at, session="s-night", trigger="heartbeat", input_tokens=2000, output_tokens=20, agent="a-1")
    for at in every(BASE + 20 * HOUR, HOUR, 9)
]
CALLS = [
    *NIGHT,
    Call(BASE + 21 * HOUR, session="s-night", trigger="user", input_tokens=9000),  # not a heartbeat
    *[Call(at, session="s-day", trigger="heartbeat", model="acme-small") for at in every(BASE + 30 * HOUR, HOUR, 3)],
    *[Call(at, trigger="heartbeat", service="cron", agent="watcher") for at in every(BASE + 26 * HOUR, HOUR, 2)],
    Call(BASE - HOUR, session="s-night", trigger="heartbeat"),  # before the window
]


@pytest.fixture(scope="module")
def fleet(store, dialect):
    insert(store, dialect, CALLS)
    return store


def test_each_day_counts_the_heartbeats_of_each_session_costliest_first(fleet):
    rows = run(fleet, "heartbeat_daily", WINDOW)
    assert [(r["day"], r["session_id"], r["service"], r["agent"], r["heartbeat_calls"]) for r in rows] == [
        (DAY_1, "s-night", "agents", "a-1", 4),
        (DAY_2, "s-night", "agents", "a-1", 5),
        (DAY_2, "", "cron", "watcher", 2),
        (DAY_2, "s-day", "agents", "", 3),
    ]
    night = price("acme-large", 2000, 20)
    assert [r["heartbeat_cost_usd"] for r in rows] == pytest.approx(
        [4 * night, 5 * night, 2 * price("acme-large", 1000, 100), 3 * price("acme-small", 1000, 100)]
    )
    assert [r["heartbeat_tokens"] for r in rows] == [4 * 2020, 5 * 2020, 2 * 1100, 3 * 1100]


def test_filters_choose_the_heartbeats(fleet):
    small = run(fleet, "heartbeat_daily", WINDOW, Filters(model="acme-small"))
    assert [(r["day"], r["session_id"], r["heartbeat_calls"]) for r in small] == [(DAY_2, "s-day", 3)]
    assert [r["heartbeat_calls"] for r in run(fleet, "heartbeat_daily", WINDOW, Filters(agent="a-1"))] == [4, 5]
