"""The rollups kept at insert time (agentcost_call_keys, agentcost_units, agentcost_session_calls): filled by the
collector's own inserts, each LLM call counted once by the views however its spans arrive, filled from the spans
stored before when `db init` installs them, and rebuilt on demand."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest

from otel_agentcost.pricing import PriceTable
from otel_agentcost.store.columns import SpanRow
from otel_agentcost.store.schema import SCHEMA_VERSION, init_schema, installed_version, rebuild_rollups
from tests.report_data import collector_row

BASE = datetime(2026, 5, 4, 10, tzinfo=timezone.utc)
ALL_TIME = {"from": datetime(1970, 1, 1, tzinfo=timezone.utc), "to": datetime(2200, 1, 1, tzinfo=timezone.utc)}
PRICES = "model,input_per_mtok,output_per_mtok\nacme,1.00,10.00\n"
UNITS_SQL = (
    "SELECT unit_kind, unit_id, calls, output_tokens, cost_usd, heartbeat_calls, first_call_at, outcome "
    "FROM agentcost_work_units(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')}) "
    "ORDER BY unit_kind, unit_id"
)
GROUPS_SQL = (
    "SELECT session_id, heartbeat, sum(calls) AS calls, sum(output_tokens) AS output_tokens, "
    "arraySort(arrayFlatten(groupArray(beat_starts))) AS beats "
    "FROM agentcost_session_groups(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')}) "
    "GROUP BY session_id, heartbeat ORDER BY session_id, heartbeat"
)
CALLS_SQL = (
    "SELECT SpanId FROM agentcost_llm_calls_in(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')}) "
    "ORDER BY SpanId"
)


def ns(at: datetime) -> int:
    return int(at.timestamp()) * 1_000_000_000 + at.microsecond * 1_000


def call(
    span_id: str,
    at: datetime,
    *,
    output: int = 100,
    trace: int = 1,
    duration: timedelta = timedelta(seconds=2),
    **attributes: str,
) -> SpanRow:
    """An LLM call span in this project's names (plus `attributes`), as the collector stores it."""
    return collector_row(
        timestamp_ns=ns(at),
        trace_id=format(trace, "032x"),
        span_id=span_id.rjust(16, "0"),
        span_name="chat acme",
        span_kind="Client",
        service_name="agents",
        scope_name="otel_agentcost",
        scope_version="1.0",
        span_attributes={
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "acme",
            "gen_ai.usage.input_tokens": "1000",
            "gen_ai.usage.output_tokens": str(output),
            **attributes,
        },
        duration_ns=int(duration.total_seconds() * 1e9),
        status_code="Unset",
    )


def sdk_twin(span_id: str, at: datetime, *, trace: int, response: str, **attributes: str) -> SpanRow:
    """The same call as another instrumentation saw it: no agentcost.* attributes, other token counts."""
    row = call(span_id, at, output=999, trace=trace, **{"gen_ai.response.id": response, **attributes})
    row.span_attributes.pop("agentcost.session.id", None)
    return row._replace(scope_name="com.anthropic.sdk.python")


def outcome(span_id: str, at: datetime, **attributes: str) -> SpanRow:
    return collector_row(
        timestamp_ns=ns(at),
        trace_id=format(99, "032x"),
        span_id=span_id.rjust(16, "0"),
        span_name="agentcost.outcome",
        span_kind="Internal",
        service_name="agents",
        scope_name="otel_agentcost",
        scope_version="1.0",
        span_attributes=attributes,
        duration_ns=0,
        status_code="Unset",
    )


def units(store, window: dict = ALL_TIME) -> dict[tuple[str, str], dict]:
    return {(row["unit_kind"], row["unit_id"]): row for row in store.query(UNITS_SQL, window)}


def groups(store, window: dict = ALL_TIME) -> dict[tuple[str, bool], dict]:
    return {(row["session_id"], row["heartbeat"]): row for row in store.query(GROUPS_SQL, window)}


@pytest.fixture(scope="module")
def prices(tmp_path_factory) -> PriceTable:
    path = tmp_path_factory.mktemp("prices") / "prices.csv"
    path.write_text(PRICES)
    return PriceTable.load(path)


_databases = itertools.count()


@pytest.fixture
def fresh(other_database, prices):
    """A store with a fresh schema in a database of its own."""
    opened = other_database(f"fresh{next(_databases)}")
    init_schema(opened, prices=prices)
    return opened


TASK = {"agentcost.session.id": "s-1", "agentcost.task.id": "T-1", "agentcost.cost.source": "price_table"}


def test_the_collectors_own_inserts_fill_the_rollups(fresh):
    fresh.command(
        "INSERT INTO otel_traces (Timestamp, TraceId, SpanId, SpanName, SpanAttributes) VALUES "
        "(now64(9), 'a1', 'b1', 'chat', map('gen_ai.usage.output_tokens', '7', 'gen_ai.request.model', 'acme', "
        "'session.id', 's-openllmetry')), "
        "(now64(9), 'a1', 'b2', 'task', map('agentcost.outcome', 'noop', 'gen_ai.conversation.id', 's-openllmetry'))"
    )
    (unit,) = fresh.query("SELECT unit_id, calls, output_tokens, outcome.3 AS outcome FROM agentcost_units FINAL")
    assert unit == {"unit_id": "s-openllmetry", "calls": 1, "output_tokens": 7, "outcome": "noop"}
    assert fresh.query("SELECT session_id, calls FROM agentcost_session_calls FINAL") == [
        {"session_id": "s-openllmetry", "calls": 1}
    ]
    assert fresh.query("SELECT count() AS n FROM agentcost_call_keys") == [{"n": 1}]
    (row,) = units(fresh).values()
    assert (row["calls"], row["output_tokens"], row["outcome"]) == (1, 7, "noop")
    assert row["cost_usd"] == pytest.approx(7 * 10e-6)  # priced from agentcost_prices: output only


def test_a_span_stored_twice_in_separate_inserts_counts_once(fresh):
    first = call("c1", BASE, output=300, **TASK)
    fresh.insert_spans([first, call("c2", BASE + timedelta(minutes=1), output=5, **TASK)])
    # A replay that batched the span with another one: not the same block, so insert deduplication keeps it.
    fresh.insert_spans([first, call("c3", BASE + timedelta(minutes=2), output=7, **TASK)])
    assert fresh.query("SELECT sum(calls) AS n FROM agentcost_units") == [{"n": 4}]  # the rollup saw four spans
    task = units(fresh)[("task", "T-1")]
    assert (task["calls"], task["output_tokens"]) == (3, 312)
    assert task["cost_usd"] == pytest.approx(3 * 1000 * 1e-6 + 312 * 10e-6)
    assert [row["SpanId"].lstrip("0") for row in fresh.query(CALLS_SQL, ALL_TIME)] == ["c1", "c2", "c3"]
    assert groups(fresh)[("s-1", False)]["calls"] == 3


def test_a_heartbeat_stored_twice_counts_once_in_the_session_groups(fresh):
    beat = {"agentcost.session.id": "s-hb", "agentcost.trigger": "heartbeat"}
    first = call("h1", BASE, **beat)
    fresh.insert_spans([first, call("h2", BASE + timedelta(minutes=30), **beat)])
    fresh.insert_spans([first, call("h3", BASE + timedelta(minutes=60), **beat)])
    row = groups(fresh)[("s-hb", True)]
    assert row["calls"] == 3
    assert row["beats"] == [BASE, BASE + timedelta(minutes=30), BASE + timedelta(minutes=60)]
    assert units(fresh)[("session", "s-hb")]["heartbeat_calls"] == 3


def test_a_call_seen_by_another_instrumentation_in_another_insert_counts_once_in_its_own_unit(fresh):
    ours = call("d1", BASE, output=40, trace=7, **{"gen_ai.response.id": "resp-9", **TASK})
    # OpenLLMetry's span of the same call names the session (session.id) but knows no task: it would make a
    # session unit of its own; the Anthropic SDK's span names no session at all.
    openllmetry = sdk_twin("d2", BASE, trace=7, response="resp-9", **{"session.id": "s-1"})
    anthropic = sdk_twin("d3", BASE + timedelta(milliseconds=3), trace=7, response="resp-9")
    fresh.insert_spans([anthropic])
    fresh.insert_spans([openllmetry])
    fresh.insert_spans([ours])
    found = units(fresh)
    assert set(found) == {("task", "T-1")}
    assert (found[("task", "T-1")]["calls"], found[("task", "T-1")]["output_tokens"]) == (1, 40)
    assert [row["SpanId"].lstrip("0") for row in fresh.query(CALLS_SQL, ALL_TIME)] == ["d1"]
    assert {key: row["calls"] for key, row in groups(fresh).items()} == {("s-1", False): 1}


def test_spans_of_one_call_on_both_sides_of_midnight_count_once(fresh):
    midnight = datetime(2026, 5, 5, tzinfo=timezone.utc)
    ours = call(
        "m1",
        midnight - timedelta(seconds=1),
        trace=8,
        duration=timedelta(seconds=20),
        **{"gen_ai.response.id": "resp-m", "agentcost.session.id": "s-m"},
    )
    theirs = sdk_twin("m2", midnight + timedelta(seconds=1), trace=8, response="resp-m", **{"session.id": "s-m"})
    fresh.insert_spans([ours])
    fresh.insert_spans([theirs])
    assert units(fresh)[("session", "s-m")]["calls"] == 1
    assert groups(fresh)[("s-m", False)]["calls"] == 1
    assert [row["SpanId"].lstrip("0") for row in fresh.query(CALLS_SQL, ALL_TIME)] == ["m1"]


def test_a_unit_spanning_the_window_is_active_only_with_a_call_in_it(fresh):
    session = {"agentcost.session.id": "s-long"}
    fresh.insert_spans([call("l1", BASE, **session), call("l2", BASE + timedelta(days=3), **session)])
    quiet = {"from": BASE + timedelta(days=1), "to": BASE + timedelta(days=2)}
    assert ("session", "s-long") not in units(fresh, quiet)
    fresh.insert_spans([call("l3", BASE + timedelta(days=1, hours=1), **session)])
    active = units(fresh, quiet)[("session", "s-long")]
    assert active["calls"] == 3  # its totals cover all its calls, not only the window's


def test_the_session_groups_count_only_the_windows_calls_of_a_session_that_goes_on_beyond_it(fresh):
    beat = {"agentcost.session.id": "s-on", "agentcost.trigger": "heartbeat"}
    fresh.insert_spans([call(f"w{n}", BASE + timedelta(hours=n), **beat) for n in range(6)])
    window = {"from": BASE + timedelta(hours=2), "to": BASE + timedelta(hours=4)}
    row = groups(fresh, window)[("s-on", True)]
    assert (row["calls"], row["beats"]) == (2, [BASE + timedelta(hours=2), BASE + timedelta(hours=3)])


def test_the_latest_outcome_wins_whatever_insert_it_arrives_in(fresh):
    fresh.insert_spans([call("o1", BASE, **TASK)])
    fresh.insert_spans(
        [outcome("o3", BASE + timedelta(hours=2), **{"agentcost.task.id": "T-1", "agentcost.outcome": "success"})]
    )
    fresh.insert_spans(
        [outcome("o2", BASE + timedelta(hours=1), **{"agentcost.task.id": "T-1", "agentcost.outcome": "blocked"})]
    )
    assert units(fresh)[("task", "T-1")]["outcome"] == "success"


def test_a_price_change_applies_to_calls_stored_before(fresh, tmp_path):
    fresh.insert_spans([call("p1", BASE, output=100, **TASK)])
    cheaper = tmp_path / "prices.csv"
    cheaper.write_text("model,input_per_mtok,output_per_mtok\nacme,0.50,1.00\n")
    init_schema(fresh, prices=PriceTable.load(cheaper))
    assert units(fresh)[("task", "T-1")]["cost_usd"] == pytest.approx(1000 * 0.5e-6 + 100 * 1e-6)


def test_db_init_fills_the_rollups_from_spans_stored_before_it(prices, other_database):
    """An install of the previous schema (no rollups) with spans, upgraded: the rollups hold the old spans, once."""
    old = other_database("upgraded")
    init_schema(old, prices=prices)
    for mv in (
        "agentcost_call_keys_mv",
        "agentcost_units_calls_mv",
        "agentcost_units_outcomes_mv",
        "agentcost_session_calls_mv",
    ):
        old.command("DROP VIEW {mv:Identifier}", {"mv": mv})
    for table in ("agentcost_call_keys", "agentcost_units", "agentcost_session_calls"):
        old.command("DROP TABLE {table:Identifier}", {"table": table})
    old.command("TRUNCATE TABLE agentcost_schema")
    old.command("INSERT INTO agentcost_schema (version, package_version) VALUES (4, '0.4.0')")
    old.insert_spans([call("u1", BASE, output=50, **TASK), call("u2", BASE + timedelta(minutes=1), output=60, **TASK)])
    old.insert_spans(
        [outcome("u3", BASE + timedelta(hours=1), **{"agentcost.task.id": "T-1", "agentcost.outcome": "noop"})]
    )
    result = init_schema(old, prices=prices)
    assert (result.previous_version, result.backfilled, installed_version(old)) == (4, True, SCHEMA_VERSION)
    task = units(old)[("task", "T-1")]
    assert (task["calls"], task["output_tokens"], task["outcome"]) == (2, 110, "noop")
    old.insert_spans([call("u4", BASE + timedelta(minutes=2), output=1, **TASK)])  # the views fill them from now on
    assert units(old)[("task", "T-1")]["calls"] == 3
    again = init_schema(old, prices=prices)
    assert not again.backfilled
    assert old.query("SELECT sum(calls) AS n FROM agentcost_units") == [{"n": 3}]


def test_db_init_fills_the_rollups_of_an_otel_traces_the_collector_filled_first(other_database, prices):
    from tests.store.test_schema import COLLECTOR_DDL, COLLECTOR_INSERT

    collector_first = other_database("collector_first_rollups")
    collector_first.command("CREATE DATABASE {database:Identifier}", {"database": collector_first.database})
    collector_first.command(COLLECTOR_DDL, {"database": collector_first.database})
    collector_first.command(COLLECTOR_INSERT)
    assert init_schema(collector_first, prices=prices).backfilled
    found = units(collector_first)
    assert {key: row["calls"] for key, row in found.items()} == {("session", "s-1"): 1, ("session", "s-2"): 1}
    assert found[("session", "s-2")]["output_tokens"] == 3


def test_rebuild_rollups_gives_the_same_answers(fresh):
    fresh.insert_spans(
        [call("r1", BASE, output=10, **TASK), call("r2", BASE, output=20, **{"agentcost.session.id": "s-r"})]
    )
    before = (units(fresh), groups(fresh))
    rebuild_rollups(fresh)
    assert (units(fresh), groups(fresh)) == before
    assert fresh.query("SELECT sum(calls) AS n FROM agentcost_units") == [{"n": 2}]
