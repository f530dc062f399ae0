"""dashboards/band_waste.sql: work units by output-token band, and what the units that bailed cost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from report_data import BASE, Call, Outcome, insert, price, run

from otel_agentcost.reports import Filters, TimeWindow
from otel_agentcost.store import QueryError

WASTE = ("noop", "blocked", "failed", "abandoned")


@dataclass(frozen=True)
class Band:
    """One row of the design's band table, and the output-token range its units are spread over."""

    label: str
    units: int
    avg_grade: float
    noop_blocked: int
    low: int
    high: int


DESIGN_TABLE = (
    Band("<5k", 1547, 0.613, 88, 0, 5_000),
    Band("5k-15k", 612, 0.527, 119, 5_000, 15_000),
    Band("15k-30k", 608, 0.622, 26, 15_000, 30_000),
    Band(">30k", 170, 0.661, 1, 30_000, 95_000),
)
TABLE_WINDOW = TimeWindow(BASE, BASE + timedelta(days=30))


@dataclass(frozen=True)
class Expected:
    """A band's row, computed by hand while its units are built."""

    wasted_units: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    wasted_cost_usd: float = 0.0


def outcome_of(band: Band, n: int) -> str | None:
    """The outcome of a band's n-th unit: the first ones noop or blocked (as many as the table says), then every 23rd
    none at all, every 9th failed or abandoned, the rest success."""
    if n < band.noop_blocked:
        return ("noop", "blocked")[n % 2]
    if n % 23 == 0:
        return None
    return ("failed", "abandoned")[n % 2] if n % 9 == 0 else "success"


def band_units(band: Band) -> tuple[list[Call | Outcome], Expected]:
    """`band.units` units whose sizes run through [low, high) from the low edge itself, with the band's grade mean and
    noop+blocked count, so that the right row is known by construction.

    Every 7th unit is a session without tasks; every 3rd spreads its tokens over three calls (so that only the total
    puts it in the band); every 31st outcome has no grade. The graded units' grades pair up around the mean."""
    items: list[Call | Outcome] = []
    expected = Expected()
    graded = []
    for n in range(band.units):
        size = band.low + (n * 7919) % (band.high - band.low)
        at = BASE + timedelta(days=n % 30, minutes=n % 1440)
        unit = {"session": f"{band.label}-s{n}"} if n % 7 == 0 else {"session": "shared", "task": f"{band.label}-t{n}"}
        model = "acme-large" if n % 2 else "acme-small"
        parts = [size // 3, size // 3, size - 2 * (size // 3)] if n % 3 == 0 else [size]
        items += [Call(at + timedelta(seconds=i), model=model, output_tokens=p, **unit) for i, p in enumerate(parts)]
        cost = sum(price(model, 1000, part) for part in parts)
        outcome = outcome_of(band, n)
        wasted = outcome in WASTE
        expected = Expected(
            expected.wasted_units + wasted,
            expected.output_tokens + size,
            expected.cost_usd + cost,
            expected.wasted_cost_usd + (cost if wasted else 0.0),
        )
        if outcome is None:
            continue
        if n % 31 == 0:
            items.append(Outcome(at + timedelta(minutes=1), outcome, **unit))
        else:
            graded.append((at + timedelta(minutes=1), outcome, unit))
    for j, (at, outcome, unit) in enumerate(graded):
        deviation = 0.0 if j == len(graded) - 1 and j % 2 == 0 else 0.2 * (1 + (j // 2) % 3) / 3 * (-1) ** j
        items.append(Outcome(at, outcome, grade=band.avg_grade + deviation, **unit))
    return items, expected


def design_data_set() -> tuple[list[Call | Outcome], dict[str, Expected]]:
    items: list[Call | Outcome] = []
    expected = {}
    for band in DESIGN_TABLE:
        units, expected[band.label] = band_units(band)
        items += units
    return items, expected


DESIGN_ITEMS, DESIGN_EXPECTED = design_data_set()


@pytest.fixture(scope="module")
def fleet(store, dialect):
    insert(store, dialect, DESIGN_ITEMS)
    return store


def test_the_design_band_table_comes_out_exactly(fleet):
    rows = run(fleet, "band_waste", TABLE_WINDOW)
    table = [(r["band"], r["units"], round(r["avg_grade"], 3), r["noop_blocked"]) for r in rows]
    assert table == [(b.label, b.units, b.avg_grade, b.noop_blocked) for b in DESIGN_TABLE]
    assert [r["avg_grade"] for r in rows] == pytest.approx([b.avg_grade for b in DESIGN_TABLE], abs=1e-9)


def test_tokens_cost_and_waste_per_band_are_the_sums_over_its_units(fleet):
    rows = run(fleet, "band_waste", TABLE_WINDOW)
    expected = [DESIGN_EXPECTED[b.label] for b in DESIGN_TABLE]
    assert [r["wasted_units"] for r in rows] == [e.wasted_units for e in expected]
    assert [r["output_tokens"] for r in rows] == [e.output_tokens for e in expected]
    assert [r["cost_usd"] for r in rows] == pytest.approx([e.cost_usd for e in expected])
    assert [r["wasted_cost_usd"] for r in rows] == pytest.approx([e.wasted_cost_usd for e in expected])
    assert all(r["wasted_units"] > r["noop_blocked"] for r in rows)


def test_every_band_has_a_row_even_when_empty_and_labels_follow_the_edges(fleet):
    rows = run(fleet, "band_waste", TABLE_WINDOW, band_edges=[1500, 5000, 15000, 30000, 100_000, 2_500_000])
    assert [r["band"] for r in rows] == ["<1.5k", "1.5k-5k", "5k-15k", "15k-30k", "30k-100k", "100k-2.5m", ">2.5m"]
    assert [r["units"] for r in rows][2:] == [612, 608, 170, 0, 0]
    assert sum(r["units"] for r in rows[:2]) == 1547
    empty = rows[-1]
    assert (empty["avg_grade"], empty["noop_blocked"], empty["output_tokens"], empty["cost_usd"]) == (None, 0, 0, 0)


def test_a_window_without_units_has_no_rows(fleet):
    assert run(fleet, "band_waste", TimeWindow(BASE - timedelta(days=9), BASE - timedelta(days=8))) == []


@pytest.mark.parametrize("edges", [[15000, 5000], [5000, 5000], [0, 5000], []])
def test_edges_that_are_not_ascending_above_zero_are_refused_with_the_fix(fleet, edges):
    with pytest.raises(QueryError, match=r"band_edges must be ascending token counts above 0, e\.g\. \[5000"):
        run(fleet, "band_waste", TABLE_WINDOW, band_edges=edges)


FILTERED_WINDOW = TimeWindow(BASE + timedelta(days=60), BASE + timedelta(days=61))
FILTERED = [
    Call(FILTERED_WINDOW.start, task="f-1", role="pm", agent="pm-1", output_tokens=6000, service="svc-a"),
    Call(FILTERED_WINDOW.start, task="f-2", agent="coder-1", model="acme-small", output_tokens=100, service="svc-b"),
    Outcome(FILTERED_WINDOW.start + timedelta(minutes=5), "blocked", task="f-1", grade=0.25, reason="claim denied"),
]


@pytest.fixture(scope="module")
def filtered(fleet, dialect):
    insert(fleet, dialect, FILTERED)
    return fleet


@pytest.mark.parametrize(
    ("filters", "units"),
    [
        (Filters(), [1, 1, 0, 0]),
        (Filters(agent="pm"), [0, 1, 0, 0]),
        (Filters(agent="coder-1"), [1, 0, 0, 0]),
        (Filters(model="acme-small"), [1, 0, 0, 0]),
        (Filters(service="svc-a"), [0, 1, 0, 0]),
    ],
)
def test_filters_keep_units_by_service_agent_or_role_and_model(filtered, filters, units):
    assert [r["units"] for r in run(filtered, "band_waste", FILTERED_WINDOW, filters)] == units


def test_filters_that_keep_no_unit_give_no_rows(filtered):
    assert run(filtered, "band_waste", FILTERED_WINDOW, Filters(service="elsewhere")) == []


def test_a_blocked_unit_is_both_noop_blocked_and_wasted(filtered):
    row = run(filtered, "band_waste", FILTERED_WINDOW, Filters(agent="pm"))[1]
    assert (row["band"], row["avg_grade"], row["noop_blocked"], row["wasted_units"]) == ("5k-15k", 0.25, 1, 1)
    assert row["wasted_cost_usd"] == pytest.approx(price("acme-large", 1000, 6000))
