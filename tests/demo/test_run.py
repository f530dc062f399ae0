"""The demo end to end, as a user runs it: a one-day fleet through the real SDKs into a fresh chDB directory, in a
process of its own. The stored data must show, by SQL over the views, what the fleet was built to produce."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from otel_agentcost.cli.demo import DEFAULT_SEED
from otel_agentcost.cli.options import UsageError
from otel_agentcost.demo.clock import to_ns
from otel_agentcost.demo.fleet import BANDS, band_of, build_fleet
from otel_agentcost.demo.plan import Fleet
from otel_agentcost.demo.run import REPORTS, run_demo
from otel_agentcost.reports import TimeWindow, run_query
from otel_agentcost.store import Store, open_store

START = datetime(2026, 3, 2, tzinfo=timezone.utc)
WINDOW = {"from": START, "to": START + timedelta(days=1)}
QUERIES = ("calls", "units", "task_spans", "span_times")
HALF_HOUR_NS = 30 * 60 * 10**9
BAILS = ("noop", "blocked", "failed", "abandoned")
# The command line with `demo` in it, as `otel-agentcost` runs it (added here until the command line lists it).
COMMAND = """
import sys
import otel_agentcost.cli as cli
from otel_agentcost.cli import demo
if demo not in cli.COMMANDS:
    cli.COMMANDS = (*cli.COMMANDS, demo)
sys.exit(cli.main(sys.argv[1:]))
"""


def _demo(store: str) -> subprocess.CompletedProcess[str]:
    arguments = ["demo", "--days", "1", "--start", START.date().isoformat(), "--store", store]
    return subprocess.run([sys.executable, "-c", COMMAND, *arguments], capture_output=True, text=True, timeout=300)


def _queried(store: str, *names: str) -> dict[str, list[dict[str, Any]]]:
    with open_store(store) as opened:
        return {name: _query(opened, name) for name in names}


def _query(store: Store, name: str) -> list[dict[str, Any]]:
    sql = (Path(__file__).parent / "sql" / f"{name}.sql").read_text(encoding="utf-8")
    return store.query(sql, WINDOW if "{from:" in sql else None)


@pytest.fixture(scope="module")
def fleet() -> Fleet:
    return build_fleet(START, days=1, seed=DEFAULT_SEED)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, subprocess.CompletedProcess[str]]:
    store = f"chdb:{tmp_path_factory.mktemp('demo') / 'store'}"
    return store, _demo(store)


@pytest.fixture(scope="module")
def stored(run) -> dict[str, list[dict[str, Any]]]:
    store, result = run
    assert result.returncode == 0, result.stderr
    return _queried(store, *QUERIES)


def _calls_of(stored, session_id: str) -> list[dict[str, Any]]:
    return [call for call in stored["calls"] if call["session_id"] == session_id]


def test_the_output_names_the_store_tells_how_time_was_compressed_shows_the_reports_and_how_to_instrument(run):
    store, result = run
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"stored in {store}" in out
    assert "1 simulated day(s), 2026-03-02 00:00 to 2026-03-03 00:00 UTC, ran in " in out
    assert "Time was compressed" in out
    headings = [out.index(f"== otel-agentcost report {name} ==") for name in REPORTS]
    assert headings == sorted(headings)
    instructions = out.index("Instrument your own agent")
    assert instructions > headings[-1]
    for step in ("agentcost.init(", "agentcost.session(", "agentcost.task(", "agentcost.heartbeat()",
                 "opentelemetry-instrument python", "otel-agentcost serve"):  # fmt: skip
        assert out.index(step) > instructions, step
    assert "Traceback" not in result.stderr


def test_every_call_of_the_fleet_is_stored_once_priced_at_its_simulated_time(stored, fleet):
    planned = sorted((to_ns(call.at), plan.session_id) for plan in fleet.sessions for call in plan.calls)
    assert sorted((call["start_ns"], call["session_id"]) for call in stored["calls"]) == planned
    assert all(call["priced"] and call["cost_usd"] > 0 for call in stored["calls"])


def test_every_span_lies_in_the_simulated_day(stored):
    (times,) = stored["span_times"]
    assert times["spans"] > len(stored["calls"]) and times["outside"] == 0


def test_heartbeats_are_30_minutes_apart_and_only_the_idle_session_has_no_user_call(stored):
    by_session: dict[str, Counter[str]] = defaultdict(Counter)
    for call in stored["calls"]:
        by_session[call["session_id"]][call["trigger"]] += 1
    heartbeating = {session for session, triggers in by_session.items() if triggers["heartbeat"]}
    assert heartbeating == {"ops-watch", "coder-1"}
    assert {session for session in heartbeating if not by_session[session]["user"]} == {"ops-watch"}
    for session in heartbeating:
        starts = [call["start_ns"] for call in _calls_of(stored, session) if call["trigger"] == "heartbeat"]
        gaps = {later - earlier for earlier, later in pairwise(starts)}
        assert min(gaps) == HALF_HOUR_NS and all(gap % HALF_HOUR_NS == 0 for gap in gaps), session
    assert {later["start_ns"] - earlier["start_ns"] for earlier, later in pairwise(_calls_of(stored, "ops-watch"))} == {
        HALF_HOUR_NS
    }


def test_the_idle_session_costs_enough_to_matter(stored):
    assert sum(call["cost_usd"] for call in _calls_of(stored, "ops-watch")) >= 30  # over one simulated day


def test_each_unit_is_stored_with_its_designed_size_and_outcome(stored, fleet):
    units = {unit["unit_id"]: unit for unit in stored["units"]}
    planned = [*(unit for plan in fleet.sessions for unit in plan.units)]
    for unit in planned:
        got = units[unit.task_id]
        assert (got["output_tokens"], got["outcome"], got["grade"], got["reason"] or None, got["lane"] or None) == (
            unit.output_tokens, unit.outcome.outcome, unit.outcome.grade, unit.outcome.reason, unit.lane,
        ), unit.task_id  # fmt: skip
    for plan in fleet.sessions:
        if plan.outcome is not None:
            assert (units[plan.session_id]["outcome"], units[plan.session_id]["grade"]) == (
                plan.outcome.outcome,
                plan.outcome.grade,
            )


def test_units_fill_every_band_and_the_middle_band_bails_most(stored):
    outcomes: dict[str, list[str | None]] = {band: [] for band in BANDS}
    for unit in stored["units"]:
        outcomes[band_of(unit["output_tokens"])].append(unit["outcome"])
    assert all(outcomes[band] for band in BANDS)
    graded = {band: [outcome for outcome in found if outcome] for band, found in outcomes.items()}
    bail_share = {band: sum(o in BAILS for o in found) / len(found) for band, found in graded.items()}
    assert max(bail_share, key=bail_share.get) == "5k-15k"
    reasons = {unit["reason"] for unit in stored["units"] if band_of(unit["output_tokens"]) == "5k-15k"}
    assert reasons >= {"claim denied", "blocked on review", "lane contention"}


def test_pm_units_split_cleanly_into_a_trivial_and_a_heavy_lane_on_one_model(stored):
    pm = [unit for unit in stored["units"] if unit["role"] == "pm"]
    trivial = [unit["output_tokens"] for unit in pm if unit["lane"] == "pm-trivial"]
    heavy = [unit["output_tokens"] for unit in pm if unit["lane"] == "pm-heavy"]
    assert len(trivial) > 10 * len(heavy) > 0
    assert max(trivial) * 10 < min(heavy)
    assert len({unit["model"] for unit in pm}) == 1


def test_both_providers_answered_through_their_sdks(stored):
    by_provider = Counter(call["provider"] for call in stored["calls"])
    assert set(by_provider) == {"openai", "anthropic"}


def test_the_five_sequential_tasks_carry_the_earlier_ones_so_input_grows_task_after_task(stored):
    first_inputs: dict[str, int] = {}
    for call in _calls_of(stored, "coder-1"):
        if call["task_id"]:
            first_inputs.setdefault(call["task_id"], call["input_tokens"])
    assert list(first_inputs) == ["T-101", "T-102", "T-103", "T-104", "T-105"]
    inputs = list(first_inputs.values())
    assert all(later > earlier + 4 * 1_500 for earlier, later in pairwise(inputs))  # four steps of ~1,500 tokens


def test_sessions_that_receive_another_sessions_messages_send_more_than_their_lenders(stored):
    for borrower, lender in (("codegen-7", "mail-triage"), ("legal-birch", "legal-acme")):
        rounds = zip(_calls_of(stored, borrower), _calls_of(stored, lender), strict=True)
        extra = [mine["input_tokens"] - theirs["input_tokens"] for mine, theirs in rounds]
        assert abs(extra[0]) < 100 and all(later > earlier + 1_000 for earlier, later in pairwise(extra)), borrower


def test_the_instrumentation_finds_the_inherited_context_and_the_bleed_the_fleet_sends(stored):
    inherited: Counter[str] = Counter()
    foreign: Counter[str] = Counter()
    for call in stored["calls"]:
        inherited[call["task_id"] or call["session_id"]] += call["inherited_tokens"]
        foreign[call["task_id"] or call["session_id"]] += call["foreign_tokens"]
    assert {unit for unit, tokens in inherited.items() if tokens} == {"T-102", "T-103", "T-104", "T-105"}
    growth = [inherited[task] for task in ("T-102", "T-103", "T-104", "T-105")]
    assert growth == sorted(growth) and growth[-1] > 3 * growth[0]
    assert {unit for unit, tokens in foreign.items() if tokens} == {"codegen-7", "legal-birch"}


def test_task_spans_enclose_their_calls_in_simulated_time(stored, fleet):
    tasks = stored["task_spans"]
    assert len(tasks) == sum(len(plan.units) for plan in fleet.sessions)
    for task in tasks:
        assert task["task_start_ns"] <= task["first_child_start_ns"], task["task_id"]
        assert task["last_child_end_ns"] <= task["task_end_ns"], task["task_id"]


def test_a_second_run_into_the_same_days_is_refused_and_changes_nothing(run, stored, fleet, capsys):
    store, _ = run
    with pytest.raises(UsageError, match=r"already holds \d+ span\(s\) between 2026-03-02T00:00Z and .*--start"):
        run_demo(fleet, store)
    assert _queried(store, "span_times")["span_times"] == stored["span_times"]


def test_the_fleet_produces_every_kind_of_finding_each_where_it_was_built(run, stored):
    store, _ = run
    with open_store(store) as opened:
        rows = run_query(opened, "findings", TimeWindow(WINDOW["from"], WINDOW["to"]))
    subjects = {(row["kind"], row["subject"]) for row in rows}
    assert subjects == {
        ("idle_heartbeats", "session ops-watch (ops-1)"),
        ("inherited_context", "session coder-1 (coder-1), 5 tasks"),
        ("context_bleed", "session codegen-7 (assistant-1)"),
        ("context_bleed", "session legal-birch (assistant-1)"),
        ("mid_band_bails", "units of 5.0k to 30.0k output tokens"),
        ("trivial_lane_model", "pm on claude-opus-4-1"),
    }
    assert rows[0]["kind"] == "idle_heartbeats"  # the design's $35-a-day drain is the biggest saving
    trivial = next(row for row in rows if row["kind"] == "trivial_lane_model")
    assert "to claude-haiku-4-5 instead of claude-opus-4-1" in trivial["recommendation"]
    bails = next(row for row in rows if row["kind"] == "mid_band_bails")
    assert "where: repo-api x3" in bails["evidence"]
