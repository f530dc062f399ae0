"""dashboards/heartbeat_suspected.sql: untagged calls at a regular interval, reported as suspected heartbeats."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from report_data import BASE, Call, every, insert, price, run

from otel_agentcost.reports import Filters, TimeWindow
from otel_agentcost.store.errors import QueryError

WINDOW = TimeWindow(BASE, BASE + timedelta(days=1))
HALF_HOUR = timedelta(minutes=30)
# a scheduler's few seconds of jitter around every beat
JITTER = [timedelta(seconds=s) for s in (0, 12, -7, 3, -11, 8, 0, -4, 9, -2, 5, -9, 1, 6, -3, 10, -6, 2, 4, -1)]
BEATS = [at + jitter for at, jitter in zip(every(BASE, HALF_HOUR, 20), JITTER, strict=True)]
PERSON = [
    BASE + timedelta(hours=2, minutes=7),
    BASE + timedelta(hours=5, minutes=11),
    BASE + timedelta(hours=8, minutes=19),
]
# irregular chatter: minutes between a person's calls
CHATTER = [BASE + timedelta(minutes=m) for m in (0, 3, 20, 28, 69, 71, 96, 107, 167, 172, 190, 240)]


def untagged(session: str, times: list[datetime], **fields) -> list[Call]:
    return [Call(at, session=session, **fields) for at in times]


CALLS = [
    *untagged("s-zero", BEATS, input_tokens=40_000, output_tokens=200),
    *untagged("s-mixed", BEATS, model="acme-small", agent="a-2"),
    *untagged("s-mixed", PERSON, input_tokens=9000, output_tokens=900),
    *untagged("s-chatter", CHATTER),
    *[Call(at, session="s-tagged", trigger="heartbeat") for at in every(BASE, HALF_HOUR, 20)],
    Call(BASE + timedelta(minutes=47), session="s-tagged", trigger="user"),
    *untagged("s-few", every(BASE, HALF_HOUR, 4)),
    *untagged("s-loop", every(BASE, timedelta(seconds=10), 30)),
    *[Call(at, service="cron", agent="poller", role="ops") for at in every(BASE, timedelta(hours=1), 8)],
]


@pytest.fixture(scope="module")
def fleet(store, dialect):
    insert(store, dialect, CALLS)
    return store


@pytest.fixture(scope="module")
def rows(fleet):
    return {(row["session_id"], row["service"]): row for row in run(fleet, "heartbeat_suspected", WINDOW)}


def minutes_between(times: list[datetime]) -> list[float]:
    return [(later - earlier).total_seconds() / 60 for earlier, later in pairwise(times)]


def test_untagged_calls_every_30_minutes_are_suspected_heartbeats_projected_per_day(rows):
    zero = rows[("s-zero", "agents")]
    median = statistics.median(minutes_between(BEATS))
    each = price("acme-large", 40_000, 200)
    assert (zero["calls"], zero["input_tokens"], zero["output_tokens"]) == (20, 20 * 40_000, 20 * 200)
    assert zero["model"] == "acme-large"
    assert zero["median_interval_minutes"] == pytest.approx(median)
    assert 0 < zero["jitter_share"] < 0.01
    assert zero["cost_usd"] == pytest.approx(20 * each)
    assert zero["cost_per_day_usd"] == pytest.approx(1440 / median * each)
    assert zero["cost_per_month_usd"] == pytest.approx(30 * 1440 / median * each)
    assert (zero["first_call_at"], zero["last_call_at"]) == (BEATS[0], BEATS[-1])


def test_a_persons_calls_between_the_beats_neither_hide_the_rhythm_nor_count_as_beats(rows):
    mixed = rows[("s-mixed", "agents")]
    assert (mixed["calls"], mixed["agent"], mixed["model"]) == (20, "a-2", "acme-small")
    assert mixed["cost_usd"] == pytest.approx(20 * price("acme-small", 1000, 100))
    assert mixed["median_interval_minutes"] == pytest.approx(30, abs=0.2)


def test_irregular_chatter_tagged_heartbeats_too_few_calls_and_working_loops_are_not_reported(rows):
    assert set(rows) == {("s-zero", "agents"), ("s-mixed", "agents"), ("", "cron")}


def test_untagged_calls_without_a_session_are_grouped_by_service_and_agent(rows):
    cron = rows[("", "cron")]
    assert (cron["agent"], cron["role"], cron["calls"], cron["median_interval_minutes"]) == ("poller", "ops", 8, 60)
    assert cron["jitter_share"] == 0
    assert cron["cost_per_day_usd"] == pytest.approx(24 * price("acme-large", 1000, 100))


def test_costliest_per_day_first(fleet):
    assert [row["session_id"] for row in run(fleet, "heartbeat_suspected", WINDOW)] == ["s-zero", "", "s-mixed"]


def test_the_thresholds_are_parameters(fleet):
    fewer = run(fleet, "heartbeat_suspected", WINDOW, min_calls=4)
    assert "s-few" in [row["session_id"] for row in fewer]
    faster = run(fleet, "heartbeat_suspected", WINDOW, min_interval_minutes=0.1)
    assert [row["calls"] for row in faster if row["session_id"] == "s-loop"] == [30]
    strict = run(fleet, "heartbeat_suspected", WINDOW, max_jitter_share=0.001)
    assert [row["session_id"] for row in strict] == [""]


def test_filters_choose_the_calls_looked_at(fleet):
    assert [row["session_id"] for row in run(fleet, "heartbeat_suspected", WINDOW, Filters(agent="ops"))] == [""]
    assert run(fleet, "heartbeat_suspected", WINDOW, Filters(model="acme-small"))[0]["session_id"] == "s-mixed"


def test_negative_thresholds_are_refused_by_name(fleet):
    with pytest.raises(QueryError, match="max_jitter_share and min_interval_minutes must be 0 or more"):
        run(fleet, "heartbeat_suspected", WINDOW, max_jitter_share=-0.1)
