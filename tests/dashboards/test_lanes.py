"""dashboards/lanes.sql: per group and model, work units split into a trivial and a heavy tier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from report_data import BASE, Call, Outcome, insert, price, run

from otel_agentcost.reports import Filters, TimeWindow

OUTCOMES = ("success", "noop", "blocked", "failed", "abandoned")


@dataclass(frozen=True)
class Unit:
    """A task of `calls` equal calls totalling `size` output tokens, and the tier it belongs in."""

    group: dict[str, str]  # role / lane / agent
    size: int
    tier: str
    model: str = "acme-large"
    outcome: str = ""
    grade: float | None = None
    calls: int = 1


PM = {"role": "pm", "agent": "pm-1"}
BUILD = {"lane": "build", "agent": "builder-1"}  # no role: grouped by its lane
S, L = "acme-small", "acme-large"

# Bimodal in log space. The pm group's tiny 3-token unit is an outlier the widest gap would split off
# (3 -> 120 is a wider gap than 400 -> 8000); Otsu's split keeps it trivial.
BIMODAL = [
    Unit(PM, 3, "trivial", S, "noop", 0.1),
    Unit(PM, 120, "trivial", S, "success", 0.9),
    Unit(PM, 150, "trivial", S, "success", 0.7, calls=2),
    Unit(PM, 180, "trivial", L, "blocked", 0.3),
    Unit(PM, 200, "trivial", S),
    Unit(PM, 240, "trivial", S, "success"),
    Unit(PM, 300, "trivial", L, "success", 0.8),
    Unit(PM, 350, "trivial", S, "noop", 0.2),
    Unit(PM, 400, "trivial", S, "success", 0.6, calls=4),
    Unit(PM, 8000, "heavy", L, "success", 0.9, calls=5),
    Unit(PM, 9500, "heavy", L, "failed", 0.0, calls=3),
    Unit(PM, 12000, "heavy", S, "success", 0.8),
    Unit(PM, 15000, "heavy", L, "abandoned", calls=6),
    Unit(PM, 20000, "heavy", L, calls=2),
    Unit(BUILD, 1000, "trivial", S, "success", 0.5),
    Unit(BUILD, 1200, "trivial", S, "success", 0.7),
    Unit(BUILD, 1500, "trivial", S, "blocked", 0.4),
    Unit(BUILD, 2000, "trivial", S, "success", 0.9),
    Unit(BUILD, 40000, "heavy", L, "success", 1.0, calls=8),
    Unit(BUILD, 50000, "heavy", L, "failed", 0.2, calls=10),
    Unit(BUILD, 60000, "heavy", L, "success", 0.95, calls=12),
]
BIMODAL_WINDOW = TimeWindow(BASE, BASE + timedelta(days=7))
THRESHOLDS = {"pm": 400, "build": 2000}  # the largest trivial unit of each group

# A group whose units all have one size takes the split of all the window's units; pm's split is clear at 300.
ONE_SIZE = [Unit({}, 250, "trivial", S, "success", 0.5) for _ in range(3)]
ONE_SIZE += [Unit({"role": "pm"}, size, "trivial", S) for size in (100, 200, 300)]
ONE_SIZE += [Unit({"role": "pm"}, size, "heavy", L) for size in (10000, 20000)]
ONE_SIZE_WINDOW = TimeWindow(BASE + timedelta(days=10), BASE + timedelta(days=11))

# No split anywhere: every unit is heavy (threshold 0).
UNIFORM = [Unit({"role": "gate"}, 250, "heavy", S, "success") for _ in range(3)]
UNIFORM_WINDOW = TimeWindow(BASE + timedelta(days=20), BASE + timedelta(days=21))


def group_name(unit: Unit) -> str:
    return unit.group.get("role") or unit.group.get("lane") or unit.group.get("agent") or "untagged"


def items(units: list[Unit], window: TimeWindow, prefix: str) -> list[Call | Outcome]:
    made: list[Call | Outcome] = []
    for n, unit in enumerate(units):
        task, at = f"{prefix}-{n}", window.start + timedelta(minutes=10 * n)
        tokens = [unit.size // unit.calls] * (unit.calls - 1) + [unit.size - unit.size // unit.calls * (unit.calls - 1)]
        made += [
            Call(at + timedelta(seconds=i), session="s", task=task, model=unit.model, output_tokens=t, **unit.group)
            for i, t in enumerate(tokens)
        ]
        if unit.outcome:
            made.append(Outcome(at + timedelta(minutes=1), unit.outcome, task=task, grade=unit.grade))
    return made


def expected_row(units: list[Unit], group: str, model: str, tier: str) -> dict[str, Any]:
    """The row of one tier, summed by hand over the units built into it."""
    members = [u for u in units if group_name(u) == group and u.model == model and u.tier == tier]
    grades = [u.grade for u in members if u.grade is not None]
    return {
        "units": len(members),
        "calls": sum(u.calls for u in members),
        "input_tokens": sum(1000 * u.calls for u in members),
        "output_tokens": sum(u.size for u in members),
        "avg_grade": sum(grades) / len(grades) if grades else None,
        **{f"{outcome}_units": sum(u.outcome == outcome for u in members) for outcome in OUTCOMES},
        "no_outcome_units": sum(not u.outcome for u in members),
    }


def cost(units: list[Unit], group: str, model: str, tier: str) -> float:
    members = [u for u in units if group_name(u) == group and u.model == model and u.tier == tier]
    return sum(price(u.model, 1000 * u.calls, u.size) for u in members)


@pytest.fixture(scope="module")
def fleet(store, dialect):
    insert(
        store,
        dialect,
        items(BIMODAL, BIMODAL_WINDOW, "bi")
        + items(ONE_SIZE, ONE_SIZE_WINDOW, "one")
        + items(UNIFORM, UNIFORM_WINDOW, "uniform"),
    )
    return store


def test_each_group_is_split_where_its_own_bimodal_distribution_splits(fleet):
    rows = run(fleet, "lanes", BIMODAL_WINDOW)
    assert {(r["group"], r["threshold_output_tokens"]) for r in rows} == set(THRESHOLDS.items())
    for row in rows:
        expected = expected_row(BIMODAL, row["group"], row["model"], row["tier"])
        grade = expected.pop("avg_grade")
        assert {key: row[key] for key in expected} == expected
        assert row["avg_grade"] == pytest.approx(grade)
        assert row["cost_usd"] == pytest.approx(cost(BIMODAL, row["group"], row["model"], row["tier"]))


def test_both_tiers_of_every_group_and_model_have_a_row_costliest_group_and_model_first(fleet):
    rows = run(fleet, "lanes", BIMODAL_WINDOW)
    assert [(r["group"], r["model"], r["tier"]) for r in rows] == [
        ("build", L, "trivial"),
        ("build", L, "heavy"),
        ("build", S, "trivial"),
        ("build", S, "heavy"),
        ("pm", L, "trivial"),
        ("pm", L, "heavy"),
        ("pm", S, "trivial"),
        ("pm", S, "heavy"),
    ]
    empty = rows[0]  # build runs its trivial units on the small model only
    assert (empty["units"], empty["cost_usd"], empty["avg_grade"]) == (0, 0, None)


def test_an_explicit_threshold_applies_to_every_group_and_includes_units_of_exactly_that_size(fleet):
    rows = run(fleet, "lanes", BIMODAL_WINDOW, trivial_max_output_tokens=1000)
    assert {r["threshold_output_tokens"] for r in rows} == {1000}
    trivial = {(r["group"], r["model"]): r["units"] for r in rows if r["tier"] == "trivial"}
    assert trivial == {("build", L): 0, ("build", S): 1, ("pm", L): 2, ("pm", S): 7}


def test_filters_select_rows_without_moving_a_groups_threshold(fleet):
    small = run(fleet, "lanes", BIMODAL_WINDOW, Filters(model=S))
    assert {(r["group"], r["threshold_output_tokens"]) for r in small} == set(THRESHOLDS.items())
    assert {r["model"] for r in small} == {S}
    assert [r["units"] for r in small if r["group"] == "pm"] == [7, 1]
    pm = run(fleet, "lanes", BIMODAL_WINDOW, Filters(agent="pm-1"))
    assert {r["group"] for r in pm} == {"pm"}
    assert run(fleet, "lanes", BIMODAL_WINDOW, Filters(service="elsewhere")) == []


def test_a_group_of_one_size_takes_the_split_of_all_units_in_the_window(fleet):
    rows = run(fleet, "lanes", ONE_SIZE_WINDOW)
    untagged = [r for r in rows if r["group"] == "untagged"]
    assert [(r["tier"], r["threshold_output_tokens"], r["units"]) for r in untagged] == [
        ("trivial", 300, 3),
        ("heavy", 300, 0),
    ]
    assert untagged[0]["success_units"] == 3 and untagged[0]["avg_grade"] == pytest.approx(0.5)


def test_without_any_split_every_unit_is_heavy(fleet):
    rows = run(fleet, "lanes", UNIFORM_WINDOW)
    assert [(r["group"], r["tier"], r["threshold_output_tokens"], r["units"]) for r in rows] == [
        ("gate", "trivial", 0, 0),
        ("gate", "heavy", 0, 3),
    ]
