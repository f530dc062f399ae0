"""The scheduler runs actors in simulated-time order, actors due together at once, each in its own context."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from otel_agentcost.demo import clock
from otel_agentcost.demo.scheduler import Actor, run_actors

START = datetime(2026, 3, 2, tzinfo=timezone.utc)
_owner: contextvars.ContextVar[str] = contextvars.ContextVar("owner", default="")


@pytest.fixture
def pool():
    with ThreadPoolExecutor(4) as executor:
        yield executor


def _minutes(*offsets: int) -> list[datetime]:
    return [START + timedelta(minutes=offset) for offset in offsets]


def test_actors_run_in_simulated_time_order(pool):
    seen: list[tuple[str, datetime]] = []

    def script(name: str, times: list[datetime]) -> Iterator[datetime]:
        for at in times:
            yield at
            seen.append((name, at))

    actors = [Actor("a", script("a", _minutes(0, 30, 60))), Actor("b", script("b", _minutes(10, 40)))]
    instants = run_actors(actors, pool)
    assert seen == [("a", _minutes(0)[0]), ("b", _minutes(10)[0]), ("a", _minutes(30)[0]), ("b", _minutes(40)[0]),
                    ("a", _minutes(60)[0])]  # fmt: skip
    assert instants == 5


def test_actors_due_at_the_same_time_run_concurrently(pool):
    both_running = threading.Barrier(2, timeout=10)  # broken if the second actor waited for the first one

    def script() -> Iterator[datetime]:
        yield START
        both_running.wait()

    assert run_actors([Actor("a", script()), Actor("b", script())], pool) == 1


def test_each_actor_keeps_its_own_context_and_clock_across_its_steps(pool):
    seen: dict[str, list[tuple[str, int | None]]] = {"a": [], "b": []}

    def script(name: str, times: list[datetime]) -> Iterator[datetime]:
        _owner.set(name)
        for at in times:
            yield at
            seen[name].append((_owner.get(), clock.now_ns()))

    run_actors([Actor("a", script("a", _minutes(0, 5))), Actor("b", script("b", _minutes(0, 7)))], pool)
    assert seen["a"] == [("a", clock.to_ns(at)) for at in _minutes(0, 5)]
    assert seen["b"] == [("b", clock.to_ns(at)) for at in _minutes(0, 7)]
    assert _owner.get() == ""


def test_a_script_going_back_in_time_is_refused_and_every_script_is_closed(pool):
    closed: list[str] = []

    def script(name: str, times: list[datetime]) -> Iterator[datetime]:
        token = _owner.set(name)
        try:
            yield from times
        finally:
            _owner.reset(token)  # raises unless run in the context the token came from
            closed.append(name)

    actors = [Actor("late", script("late", _minutes(10, 5))), Actor("other", script("other", _minutes(0, 60)))]
    with pytest.raises(ValueError, match=r"actor late asked to run at 2026-03-02T00:05:00\+00:00, before"):
        run_actors(actors, pool)
    assert sorted(closed) == ["late", "other"]


def test_an_error_in_a_script_reaches_the_caller(pool):
    def script() -> Iterator[datetime]:
        yield START
        raise RuntimeError("the stand-in is down")

    with pytest.raises(RuntimeError, match="the stand-in is down"):
        run_actors([Actor("a", script())], pool)
