"""dashboards/heartbeat_drain.sql: what background heartbeats cost each session, projected per day and month."""

from __future__ import annotations

from datetime import timedelta

import pytest
from report_data import BASE, Call, every, insert, price, run

from otel_agentcost.reports import Filters, TimeWindow

WINDOW = TimeWindow(BASE, BASE + timedelta(days=1))
HALF_HOUR = timedelta(minutes=30)
# the design's case: an idle session, a heartbeat every 30 minutes, about $35 a day
IDLE_INPUT, IDLE_OUTPUT = 240_000, 611
IDLE_COST = price("acme-large", IDLE_INPUT, IDLE_OUTPUT)


def heartbeats(session: str, times, **fields) -> list[Call]:
    return [Call(at, session=session, trigger="heartbeat", **fields) for at in times]


IDLE = heartbeats("s-idle", every(BASE, HALF_HOUR, 48), input_tokens=IDLE_INPUT, output_tokens=IDLE_OUTPUT, agent="a-1")
# hourly, one beat missed (a 2-hour gap), with a person's call and an untagged one in between
BUSY_TIMES = [t for t in every(BASE, timedelta(hours=1), 8) if t != BASE + timedelta(hours=4)]
BUSY = [
    *heartbeats("s-busy", BUSY_TIMES, model="acme-small", input_tokens=8000, output_tokens=40, role="pm"),
    Call(BASE + timedelta(minutes=10), session="s-busy", trigger="user", input_tokens=3000, output_tokens=300),
    Call(BASE + timedelta(minutes=20), session="s-busy", input_tokens=5000, output_tokens=500),
]
# beats 1, 2, 3 and 4 hours apart: an even number of intervals, whose median is the mean of the middle two
SCHEDULED_HOURS = (0, 1, 3, 6, 10)
SCHEDULED = [
    *heartbeats("s-sched", [BASE + timedelta(hours=h) for h in SCHEDULED_HOURS], input_tokens=500, output_tokens=10),
    Call(BASE + timedelta(hours=3), session="s-sched", trigger="schedule", input_tokens=100, output_tokens=10),
]
SINGLE = heartbeats("s-once", [BASE + timedelta(hours=5)], input_tokens=100_000, output_tokens=100)
# no session: grouped by service and agent name
SESSIONLESS = [
    Call(at, trigger="heartbeat", service="cron", agent="watcher", model="acme-small")
    for at in every(BASE, timedelta(minutes=15), 10)
]
OUTSIDE = [
    *heartbeats("s-idle", [BASE - HALF_HOUR, BASE + timedelta(days=1)]),
    *heartbeats("s-later", every(BASE + timedelta(days=2), HALF_HOUR, 4)),
]
USER_ONLY = [Call(BASE + timedelta(hours=2), session="s-chat", trigger="user")]


@pytest.fixture(scope="module")
def fleet(store, dialect):
    insert(store, dialect, IDLE + BUSY + SCHEDULED + SINGLE + SESSIONLESS + OUTSIDE + USER_ONLY)
    return store


@pytest.fixture(scope="module")
def rows(fleet):
    return {(row["session_id"], row["service"]): row for row in run(fleet, "heartbeat_drain", WINDOW)}


def test_an_idle_session_beating_every_30_minutes_costs_48_heartbeats_a_day(rows):
    idle = rows[("s-idle", "agents")]
    assert (idle["heartbeat_calls"], idle["median_interval_minutes"], idle["idle"]) == (48, 30, True)
    assert idle["heartbeat_tokens"] == 48 * (IDLE_INPUT + IDLE_OUTPUT)
    assert idle["heartbeat_cost_usd"] == pytest.approx(48 * IDLE_COST)
    assert idle["cost_per_day_usd"] == pytest.approx(48 * IDLE_COST)
    assert idle["cost_per_day_usd"] == pytest.approx(35, abs=0.01)
    assert idle["cost_per_month_usd"] == pytest.approx(30 * 48 * IDLE_COST)
    assert (idle["agent"], idle["model"], idle["other_calls"]) == ("a-1", "acme-large", 0)
    assert idle["heartbeat_cost_share"] == 1
    assert (idle["first_heartbeat_at"], idle["last_heartbeat_at"]) == (BASE, BASE + 47 * HALF_HOUR)


def test_a_session_with_other_calls_is_not_idle_and_a_missed_beat_does_not_move_the_median(rows):
    busy = rows[("s-busy", "agents")]
    beat = price("acme-small", 8000, 40)
    other = price("acme-large", 3000, 300) + price("acme-large", 5000, 500)
    assert (busy["heartbeat_calls"], busy["median_interval_minutes"], busy["idle"], busy["other_calls"]) == (
        7,
        60,
        False,
        2,
    )
    assert busy["cost_per_day_usd"] == pytest.approx(24 * beat)
    assert busy["heartbeat_cost_share"] == pytest.approx(7 * beat / (7 * beat + other))
    assert (busy["role"], busy["model"]) == ("pm", "acme-small")


def test_scheduled_work_is_use_too(rows):
    assert (rows[("s-sched", "agents")]["idle"], rows[("s-sched", "agents")]["other_calls"]) == (False, 1)


def test_the_median_of_an_even_number_of_intervals_is_the_mean_of_the_middle_two(rows):
    sched = rows[("s-sched", "agents")]
    assert sched["median_interval_minutes"] == 150
    assert sched["cost_per_day_usd"] == pytest.approx(1440 / 150 * price("acme-large", 500, 10))


def test_a_single_heartbeat_has_no_interval_and_no_projection(rows):
    once = rows[("s-once", "agents")]
    assert (once["heartbeat_calls"], once["idle"]) == (1, True)
    assert once["median_interval_minutes"] is None
    assert (once["cost_per_day_usd"], once["cost_per_month_usd"]) == (None, None)


def test_heartbeats_without_a_session_are_grouped_by_service_and_agent(rows):
    cron = rows[("", "cron")]
    assert (cron["agent"], cron["heartbeat_calls"], cron["median_interval_minutes"]) == ("watcher", 10, 15)
    assert cron["cost_per_day_usd"] == pytest.approx(96 * price("acme-small", 1000, 100))


def test_only_sessions_with_heartbeats_in_the_window_idle_first_then_by_cost_per_day(fleet):
    order = [(row["session_id"], row["idle"]) for row in run(fleet, "heartbeat_drain", WINDOW)]
    assert order == [("s-idle", True), ("", True), ("s-once", True), ("s-busy", False), ("s-sched", False)]


def test_filters_choose_the_heartbeats_but_idle_still_sees_the_whole_session(fleet):
    small = run(fleet, "heartbeat_drain", WINDOW, Filters(model="acme-small"))
    assert [(row["session_id"], row["heartbeat_calls"], row["idle"]) for row in small] == [
        ("", 10, True),
        ("s-busy", 7, False),
    ]
    assert [row["session_id"] for row in run(fleet, "heartbeat_drain", WINDOW, Filters(agent="pm"))] == ["s-busy"]
    assert [row["heartbeat_calls"] for row in run(fleet, "heartbeat_drain", WINDOW, Filters(service="cron"))] == [10]
