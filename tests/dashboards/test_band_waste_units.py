"""dashboards/band_waste_units.sql: the costliest wasted units, for drilling into the band table."""

from __future__ import annotations

from datetime import timedelta

import pytest
from report_data import BASE, Call, Outcome, insert, price, run

from otel_agentcost.reports import Filters
from otel_agentcost.store import QueryError

T = BASE + timedelta(hours=1)
DATA = [
    # wasted units, by output tokens: 30000 (on the >30k edge), 12000 over two calls, 5000 (on the 5k edge), 900
    Call(T, session="s-1", task="t-big", output_tokens=30000, role="coder", agent="coder-1"),
    Outcome(T + timedelta(minutes=5), "abandoned", task="t-big", reason="lost the lane"),
    Call(T, session="s-1", task="t-mid", output_tokens=6000, role="pm", agent="pm-1"),
    Call(T + timedelta(minutes=1), session="s-1", task="t-mid", output_tokens=6000, role="pm", agent="pm-1"),
    Outcome(T + timedelta(minutes=2), "blocked", task="t-mid", grade=0.3, reason="claim denied"),
    Call(T + timedelta(hours=1), session="s-2", output_tokens=5000, model="acme-small"),
    Outcome(T + timedelta(hours=2), "noop", session="s-2", grade=0.5, reason="nothing to do"),
    Call(T + timedelta(hours=3), session="s-3", task="t-small", output_tokens=900, role="pm", agent="pm-2"),
    Outcome(T + timedelta(hours=4), "failed", task="t-small", grade=0.0, reason="tests red"),
    # not wasted: a success (costliest of all), a unit without outcome, a noop overridden by a later success
    Call(T, session="s-4", task="t-good", output_tokens=90000),
    Outcome(T + timedelta(minutes=5), "success", task="t-good", grade=1.0),
    Call(T, session="s-4", task="t-open", output_tokens=50000),
    Call(T, session="s-4", task="t-redone", output_tokens=40000),
    Outcome(T + timedelta(minutes=5), "noop", task="t-redone"),
    Outcome(T + timedelta(minutes=9), "success", task="t-redone", grade=0.9),
]


@pytest.fixture(scope="module")
def fleet(store, dialect):
    insert(store, dialect, DATA)
    return store


def test_wasted_units_costliest_first_with_band_outcome_and_reason(fleet):
    rows = run(fleet, "band_waste_units")
    assert [(r["unit_id"], r["unit_kind"], r["session_id"], r["band"]) for r in rows] == [
        ("t-big", "task", "s-1", ">30k"),
        ("t-mid", "task", "s-1", "5k-15k"),
        ("t-small", "task", "s-3", "<5k"),
        ("s-2", "session", "s-2", "5k-15k"),
    ]
    assert [(r["outcome"], r["reason"], r["grade"]) for r in rows] == [
        ("abandoned", "lost the lane", None),
        ("blocked", "claim denied", 0.3),
        ("failed", "tests red", 0.0),
        ("noop", "nothing to do", 0.5),
    ]
    assert [r["output_tokens"] for r in rows] == [30000, 12000, 900, 5000]
    assert [r["cost_usd"] for r in rows] == pytest.approx(
        [
            price("acme-large", 1000, 30000),
            2 * price("acme-large", 1000, 6000),
            price("acme-large", 1000, 900),
            price("acme-small", 1000, 5000),
        ]
    )


def test_each_unit_says_who_ran_it_on_which_model_and_when_it_started(fleet):
    mid = run(fleet, "band_waste_units")[1]
    assert (mid["role"], mid["agent"], mid["model"], mid["first_call_at"]) == ("pm", "pm-1", "acme-large", T)
    session = run(fleet, "band_waste_units")[3]
    assert (session["role"], session["agent"], session["model"]) == ("", "", "acme-small")


def test_limit_and_band_edges_are_settable(fleet):
    rows = run(fleet, "band_waste_units", limit=2, band_edges=[1000, 20000])
    assert [(r["unit_id"], r["band"]) for r in rows] == [("t-big", ">20k"), ("t-mid", "1k-20k")]


def test_filters_keep_units_by_agent_or_role_and_model(fleet):
    assert [r["unit_id"] for r in run(fleet, "band_waste_units", filters=Filters(agent="pm"))] == ["t-mid", "t-small"]
    assert [r["unit_id"] for r in run(fleet, "band_waste_units", filters=Filters(agent="coder-1"))] == ["t-big"]
    assert [r["unit_id"] for r in run(fleet, "band_waste_units", filters=Filters(model="acme-small"))] == ["s-2"]
    assert run(fleet, "band_waste_units", filters=Filters(service="elsewhere")) == []


def test_edges_that_are_not_ascending_are_refused_with_the_fix(fleet):
    with pytest.raises(QueryError, match=r"band_edges must be ascending token counts above 0"):
        run(fleet, "band_waste_units", band_edges=[20000, 1000])
