"""dashboards/findings.sql: each kind of finding on a data set built to show it, the saving computed by hand; and a
healthy fleet that gets no finding. Every data set has a day of its own, so a one-day window sees only it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from report_data import BASE, INPUT, OUTPUT, Call, Outcome, every, insert, price, run

from otel_agentcost.reports import TimeWindow
from otel_agentcost.store import QueryError


def day(number: int) -> TimeWindow:
    return TimeWindow(BASE + timedelta(days=number), BASE + timedelta(days=number + 1))


def at(number: int, minutes: float = 0) -> object:
    return day(number).start + timedelta(minutes=minutes)


IDLE, INHERITED, BLEED, BAILS, TRIVIAL, HEALTHY = range(6)

# An idle session beating every 30 minutes, and a working one whose heartbeats are no finding.
HEARTBEATS = [
    *(Call(t, session="s-idle", agent="watch-1", trigger="heartbeat", input_tokens=100_000) for t in
      every(at(IDLE), timedelta(minutes=30), 12)),
    *(Call(t, session="s-busy", trigger="heartbeat", input_tokens=100_000) for t in
      every(at(IDLE), timedelta(minutes=30), 12)),
    Call(at(IDLE, 7), session="s-busy", trigger="user"),
]  # fmt: skip
# Two tasks of one session, the second carrying 100k tokens of the first.
CARRIED = [
    Call(at(INHERITED), session="s-carry", task="T-1", input_tokens=20_000),
    Call(at(INHERITED, 5), session="s-carry", task="T-2", input_tokens=120_000, inherited_tokens=100_000),
]
# A session whose second call carries 50k tokens of another session.
BLED = [
    Call(at(BLEED), session="s-bled", input_tokens=100_000),
    Call(at(BLEED, 3), session="s-bled", input_tokens=100_000, foreign_tokens=50_000),
]


def unit(number: int, task: str, output: int, outcome: str, reason: str = "", **tags: str) -> list[Call | Outcome]:
    return [
        Call(at(number), session=f"s-{task}", task=task, output_tokens=output, **tags),
        Outcome(at(number, 1), outcome, task=task, reason=reason),
    ]


# Mid band [5000, 30000): four units, two of which bail; a failure and units outside the band do not count.
MID = [
    *unit(BAILS, "M-1", 6_000, "blocked", "claim denied", lane="repo-a"),
    *unit(BAILS, "M-2", 8_000, "noop", "lane contention", lane="repo-a"),
    *unit(BAILS, "M-3", 10_000, "success", lane="repo-b"),
    *unit(BAILS, "M-4", 12_000, "failed", "tests failed", lane="repo-b"),
    *unit(BAILS, "M-5", 3_000, "blocked", "claim denied", lane="repo-b"),
    *unit(BAILS, "M-6", 40_000, "noop", lane="repo-b"),
]
# pm: eight trivial units of 200 output tokens and three heavy ones of 20k on acme-large (a clean split, 100x);
# gate: sizes without a clean split; build uses acme-small, so the fleet already uses the cheaper model.
LANES = [
    *(Call(at(TRIVIAL, n), task=f"P-{n}", role="pm", input_tokens=5_000, output_tokens=200) for n in range(8)),
    *(Call(at(TRIVIAL, 20 + n), task=f"H-{n}", role="pm", output_tokens=20_000) for n in range(3)),
    *(Call(at(TRIVIAL, 40 + n), task=f"G-{n}", role="gate", input_tokens=50_000, output_tokens=size)
      for n, size in enumerate((200, 300, 450, 700, 1_000))),
    Call(at(TRIVIAL, 60), task="B-1", role="build", model="acme-small", output_tokens=1_000),
]  # fmt: skip
# A healthy fleet: work without carried or foreign context, successes, heartbeats in a working session, a trivial
# tier already on the cheapest model.
HEALTHY_FLEET = [
    *unit(HEALTHY, "OK-1", 9_000, "success", lane="repo-a"),
    *unit(HEALTHY, "OK-2", 12_000, "success", lane="repo-a"),
    *unit(HEALTHY, "OK-3", 20_000, "blocked", "claim denied", lane="repo-a"),
    *unit(HEALTHY, "OK-4", 7_000, "success", lane="repo-a"),
    *unit(HEALTHY, "OK-5", 15_000, "success", lane="repo-a"),
    *unit(HEALTHY, "OK-6", 25_000, "success", lane="repo-a"),
    *(Call(t, session="s-work", trigger="heartbeat") for t in every(at(HEALTHY), timedelta(minutes=30), 6)),
    Call(at(HEALTHY, 10), session="s-work", task="W-1"),
    Call(at(HEALTHY, 20), session="s-work", task="W-2"),
    *(Call(at(HEALTHY, 30 + n), task=f"Q-{n}", role="pm", model="acme-small", output_tokens=200) for n in range(6)),
    *(Call(at(HEALTHY, 50 + n), task=f"R-{n}", role="pm", model="acme-small", output_tokens=20_000) for n in range(2)),
]


@pytest.fixture(scope="module", autouse=True)
def data(store, dialect) -> None:
    insert(store, dialect, [*HEARTBEATS, *CARRIED, *BLED, *MID, *LANES, *HEALTHY_FLEET])


def findings(store, number: int, **options: object) -> list[dict]:
    return run(store, "findings", day(number), **options)


def test_an_idle_session_beating_every_30_minutes_saves_the_beats_it_would_not_make_at_120(store):
    [row] = findings(store, IDLE)
    beat = price("acme-large", 100_000, 100)
    now, longer = beat * 48 * 30, beat * 12 * 30  # beats a day at 30 and at 120 minutes, 30 days
    assert (row["rank"], row["kind"], row["subject"]) == (1, "idle_heartbeats", "session s-idle (watch-1)")
    assert row["saving_per_month_usd"] == pytest.approx(now - longer)
    assert row["saving_usd"] == pytest.approx((now - longer) / 30)
    assert row["cost_usd"] == pytest.approx(12 * beat)
    assert "12 heartbeats on acme-large, one every 30 min" in row["evidence"]
    assert f"${now:.2f} a month" in row["how"] and f"${longer:.2f}" in row["how"]
    assert "from 30 to 120 min" in row["recommendation"]


def test_a_longer_alternative_interval_saves_more_and_one_already_as_long_saves_nothing(store):
    beat = price("acme-large", 100_000, 100)
    [row] = findings(store, IDLE, heartbeat_interval_minutes=240)
    assert row["saving_per_month_usd"] == pytest.approx(beat * (48 - 6) * 30)
    assert findings(store, IDLE, heartbeat_interval_minutes=30) == []


def test_inherited_context_saves_the_inherited_tokens_at_the_input_price_scaled_to_30_days(store):
    [row] = findings(store, INHERITED)
    saving = 100_000 * INPUT["acme-large"]  # the output price ratio (5) is acme-large's: exactly the input price
    assert (row["kind"], row["subject"]) == ("inherited_context", "session s-carry, 2 tasks")
    assert row["saving_usd"] == pytest.approx(saving)
    assert row["saving_per_month_usd"] == pytest.approx(saving * 30)
    assert "1 of 2 tasks carried" in row["evidence"] and "T-2 100.0k" in row["evidence"]
    assert "(71%)" in row["evidence"]  # 100k of 140k
    assert findings(store, INHERITED, min_inherited_share=0.75) == []


def test_context_bleed_saves_the_foreign_tokens_cost(store):
    [row] = findings(store, BLEED)
    saving = 50_000 * INPUT["acme-large"]
    assert (row["kind"], row["subject"]) == ("context_bleed", "session s-bled")
    assert row["saving_per_month_usd"] == pytest.approx(saving * 30)
    assert "1 of 2 calls carried 50.0k tokens of other sessions: 25% of its 200.0k input tokens" in row["evidence"]
    assert findings(store, BLEED, min_foreign_share=0.3) == []


def test_mid_band_bails_cost_the_bailed_units_with_their_reasons_and_lanes(store):
    [row] = findings(store, BAILS)
    saving = price("acme-large", 1000, 6_000) + price("acme-large", 1000, 8_000)
    assert (row["kind"], row["subject"]) == ("mid_band_bails", "units of 5.0k to 30.0k output tokens")
    assert row["saving_per_month_usd"] == pytest.approx(saving * 30)
    assert row["cost_usd"] == pytest.approx(
        saving + price("acme-large", 1000, 10_000) + price("acme-large", 1000, 12_000)
    )
    assert "2 of 4 mid-band units bailed (50%)" in row["evidence"]
    assert "reasons: claim denied x1, lane contention x1; where: repo-a x2" in row["evidence"]
    assert findings(store, BAILS, min_bail_share=0.6) == []
    [wider] = findings(store, BAILS, mid_band=[2_000, 50_000])  # now M-5 and M-6 bail in the band too
    assert "4 of 6 mid-band units bailed" in wider["evidence"]


def test_a_cleanly_split_trivial_tier_is_repriced_at_the_cheapest_model_the_fleet_uses(store):
    [row] = findings(store, TRIVIAL)
    now = 8 * price("acme-large", 5_000, 200)
    cheaper = 8 * (5_000 * INPUT["acme-small"] + 200 * OUTPUT["acme-small"])
    assert (row["kind"], row["subject"]) == ("trivial_lane_model", "pm on acme-large")
    assert row["cost_usd"] == pytest.approx(now)
    assert row["saving_per_month_usd"] == pytest.approx((now - cheaper) * 30)
    assert row["recommendation"] == (
        "Route the pm trivial tier (up to 200 output tokens) to acme-small instead of acme-large."
    )
    assert "8 trivial units (up to 200 output tokens; the smallest heavy one has 20.0k, 100x more)" in row["evidence"]
    assert findings(store, TRIVIAL, cheap_model="ACME-SMALL") == [row]
    assert findings(store, TRIVIAL, min_tier_gap=200) == []


def test_a_cheap_model_without_a_price_row_is_an_error_naming_the_fix(store):
    with pytest.raises(QueryError, match="cheap_model has no row in agentcost_prices"):
        findings(store, TRIVIAL, cheap_model="acme-tiny")


def test_findings_are_ranked_by_saving_per_month_and_small_ones_left_out(store):
    window = TimeWindow(day(IDLE).start, day(TRIVIAL).end)
    rows = run(store, "findings", window)
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
    savings = [row["saving_per_month_usd"] for row in rows]
    assert savings == sorted(savings, reverse=True)
    assert {row["kind"] for row in rows} == {
        "idle_heartbeats", "inherited_context", "context_bleed", "mid_band_bails", "trivial_lane_model",
    }  # fmt: skip
    kept = run(store, "findings", window, min_saving_per_month_usd=10)
    assert [row["subject"] for row in kept] == [row["subject"] for row in rows if row["saving_per_month_usd"] >= 10]


def test_a_healthy_fleet_gets_no_finding(store):
    assert findings(store, HEALTHY) == []
