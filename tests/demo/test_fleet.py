"""The fleet is built to show every pattern the reports and findings look for; these tests check the design itself,
before anything runs (test_run.py checks that the stored data shows the same)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from itertools import pairwise

import pytest

from otel_agentcost.demo.backends import MAX_TOKENS, PROVIDERS
from otel_agentcost.demo.fleet import BANDS, HEARTBEAT_EVERY, MAX_DAYS, band_of, build_fleet
from otel_agentcost.demo.plan import Call, Fleet, SessionPlan, Unit
from otel_agentcost.pricing import PriceTable

START = datetime(2026, 3, 2, tzinfo=timezone.utc)
BAILS = ("noop", "blocked", "failed", "abandoned")


@pytest.fixture(scope="module")
def fleet() -> Fleet:
    return build_fleet(START, days=3, seed=7)


@pytest.fixture(scope="module")
def prices() -> PriceTable:
    return PriceTable.load(None)


def _session(fleet: Fleet, session_id: str) -> SessionPlan:
    return next(plan for plan in fleet.sessions if plan.session_id == session_id)


def _units(fleet: Fleet) -> list[Unit]:
    return [unit for plan in fleet.sessions for unit in plan.units]


def _cost(prices: PriceTable, call: Call) -> float:
    cost = prices.cost(
        call.model,
        input_tokens=call.input_tokens or 0,
        output_tokens=call.output_tokens,
        cache_read_tokens=call.cached_tokens,
        cache_write_tokens=call.cache_write_tokens,
    )
    assert cost is not None, f"{call.model} has no price"
    return cost


def test_the_same_arguments_build_the_same_fleet_and_another_seed_another(fleet):
    assert build_fleet(START, days=3, seed=7) == fleet
    assert build_fleet(START, days=3, seed=8) != fleet


@pytest.mark.parametrize("days", [0, MAX_DAYS + 1])
def test_days_out_of_range_are_refused(days):
    with pytest.raises(ValueError, match=f"days={days}"):
        build_fleet(START, days=days, seed=7)


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        build_fleet(datetime(2026, 3, 2), days=1, seed=7)


def test_every_call_falls_in_the_simulated_days_and_each_session_runs_forward_in_time(fleet):
    for plan in fleet.sessions:
        times = [time for item in plan.items for time in _times(item)]
        assert times == sorted(times), plan.session_id
        assert fleet.start <= times[0] and times[-1] < fleet.end, plan.session_id


def _times(item: Call | Unit) -> list[datetime]:
    return [item.at] if isinstance(item, Call) else [*(call.at for call in item.calls), item.ends_at]


def test_the_idle_session_heartbeats_every_30_minutes_with_no_user_call_at_about_35_usd_a_day(fleet, prices):
    idle = _session(fleet, "ops-watch")
    times = [call.at for call in idle.calls]
    assert {later - earlier for earlier, later in pairwise(times)} == {HEARTBEAT_EVERY}
    assert len(times) == 3 * 48
    assert {call.trigger for call in idle.calls} == {"heartbeat"}
    per_day = sum(_cost(prices, call) for call in idle.calls) / 3
    assert 30 <= per_day <= 40


def test_the_other_heartbeat_session_is_not_idle(fleet):
    coder = _session(fleet, "coder-1")
    triggers = Counter(call.trigger for call in coder.calls)
    assert triggers["heartbeat"] > 0 and triggers["user"] > 0


def test_untagged_periodic_calls_carry_no_trigger(fleet):
    polls = _session(fleet, "deploy-watch").calls
    assert {call.trigger for call in polls} == {None}
    assert len({later.at - earlier.at for earlier, later in pairwise(polls)}) == 1


def test_five_sequential_tasks_share_one_conversation(fleet):
    coder = _session(fleet, "coder-1")
    assert coder.carry_context
    assert [unit.task_id for unit in coder.units] == ["T-101", "T-102", "T-103", "T-104", "T-105"]
    assert all(earlier.ends_at < later.starts_at for earlier, later in pairwise(coder.units))
    assert all(call.input_tokens is None for unit in coder.units for call in unit.calls)  # counted from the messages


def test_parallel_sessions_run_at_the_same_times_and_two_borrow_earlier_messages_of_another(fleet):
    parallel = [plan for plan in fleet.sessions if plan.role == "assistant"]
    assert len(parallel) == 6
    assert len({tuple(call.at for call in plan.calls) for plan in parallel}) == 1
    borrowers = {plan.session_id: {call.borrow_from for call in plan.calls} - {None} for plan in parallel}
    assert {session: lenders for session, lenders in borrowers.items() if lenders} == {
        "codegen-7": {"mail-triage"},
        "legal-birch": {"legal-acme"},
    }
    first_round = parallel[0].calls[0].at
    assert all(call.at > first_round for plan in parallel for call in plan.calls if call.borrow_from)
    assert all(plan.outcome is not None and not plan.units for plan in parallel)


def test_units_of_every_band_end_in_every_outcome_and_the_middle_band_bails_most(fleet):
    units = _units(fleet) + [plan for plan in fleet.sessions if plan.outcome is not None]
    by_band: dict[str, list[str]] = {band: [] for band in BANDS}
    for unit in units:
        output = sum(call.output_tokens for call in unit.calls)
        by_band[band_of(output)].append(unit.outcome.outcome)
    assert all(by_band[band] for band in BANDS)
    bail_share = {band: sum(o in BAILS for o in outcomes) / len(outcomes) for band, outcomes in by_band.items()}
    assert max(bail_share, key=bail_share.get) == "5k-15k"
    assert {outcome for outcomes in by_band.values() for outcome in outcomes} >= {
        "success",
        "noop",
        "blocked",
        "failed",
    }


def test_mid_band_bails_give_the_contention_reasons_and_cluster_in_one_lane(fleet):
    bails = [
        unit for unit in _units(fleet) if band_of(unit.output_tokens) == "5k-15k" and unit.outcome.outcome in BAILS
    ]
    assert {unit.outcome.reason for unit in bails} >= {"claim denied", "blocked on review", "lane contention"}
    assert Counter(unit.lane for unit in bails).most_common(1)[0][0] == "repo-api"
    assert all(unit.outcome.grade < 0.5 for unit in bails)


def test_pm_work_is_bimodal_trivial_units_on_an_expensive_model(fleet, prices):
    pm = _session(fleet, "pm-1")
    trivial = [unit for unit in pm.units if unit.lane == "pm-trivial"]
    heavy = [unit for unit in pm.units if unit.lane == "pm-heavy"]
    assert {unit.kind for unit in trivial} == {"gate", "dispatch", "status"}
    assert all(len(unit.calls) == 1 for unit in trivial) and all(len(unit.calls) >= 5 for unit in heavy)
    assert max(unit.output_tokens for unit in trivial) < 1_000 < 15_000 <= min(unit.output_tokens for unit in heavy)
    (model,) = {call.model for call in pm.calls}
    cheapest_output = min(price.output_per_mtok for price in prices.rows() if price.provider == "anthropic")
    assert prices.lookup(model).output_per_mtok >= 10 * cheapest_output


def test_both_providers_answer_and_every_model_has_a_price(fleet, prices):
    assert {call.provider for call in fleet.calls} == set(PROVIDERS)
    assert all(prices.lookup(call.model) is not None for call in fleet.calls)


def test_no_call_asks_for_more_output_than_the_sdks_allow_unstreamed(fleet):
    assert max(call.output_tokens for call in fleet.calls) <= MAX_TOKENS


def test_a_one_day_fleet_still_has_every_kind_of_session(fleet):
    short = build_fleet(START, days=1, seed=7)
    assert {plan.shows for plan in short.sessions} == {plan.shows for plan in fleet.sessions}
    assert short.end == START + timedelta(days=1)
    assert all(START <= call.at < short.end for call in short.calls)
