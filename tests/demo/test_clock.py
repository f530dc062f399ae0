"""The simulated clock: each context reads its own simulated now, and code outside the simulation reads none."""

from __future__ import annotations

import contextvars
from datetime import datetime, timedelta, timezone

import pytest

from otel_agentcost.demo import clock

START = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


def test_outside_the_simulation_there_is_no_simulated_now():
    assert contextvars.Context().run(clock.now_ns) is None


def test_the_now_set_in_a_context_is_read_there_only():
    first, second = contextvars.Context(), contextvars.Context()
    first.run(clock.set_now, START)
    second.run(clock.set_now, START + timedelta(hours=1))
    assert first.run(clock.now_ns) == clock.to_ns(START)
    assert second.run(clock.now_ns) == clock.to_ns(START) + 3_600 * 10**9


def test_nanoseconds_are_exact_to_the_microsecond():
    at = datetime(2026, 3, 2, 9, 30, 0, 123_456, tzinfo=timezone.utc)
    assert clock.to_ns(at) == 1_772_443_800_123_456_000


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        contextvars.Context().run(clock.set_now, datetime(2026, 3, 2, 9, 30))
