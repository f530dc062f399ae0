"""The simulated clock: what time it is, in the simulation, for the code running now.

Each actor of the fleet runs in a `contextvars.Context` of its own, so the simulated now is a context variable:
concurrent sessions each read their own time, and code outside the simulation reads none. The clock is set at the
start of each step of an actor; within a step, simulated time runs at the real pace from there.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from datetime import datetime, timezone

# (simulated ns, real ns) at the start of the current step
_step: ContextVar[tuple[int, int] | None] = ContextVar("agentcost_demo_step", default=None)


def set_now(at: datetime) -> None:
    """Starts a step of the current context at simulated time `at` (a timezone-aware datetime)."""
    if at.tzinfo is None:
        raise ValueError(f"simulated times must be timezone-aware, got {at.isoformat()}")
    _step.set((to_ns(at), time.time_ns()))


def now_ns() -> int | None:
    """The simulated time at which the current step started, in ns since the epoch; None outside the simulation."""
    step = _step.get()
    return None if step is None else step[0]


def simulated_ns(real_ns: int) -> int | None:
    """The simulated time of a real instant of the current step: its start plus the real time since then."""
    step = _step.get()
    return None if step is None else step[0] + real_ns - step[1]


def to_ns(at: datetime) -> int:
    """Exact nanoseconds since the epoch (a float timestamp would round the microseconds away)."""
    delta = at - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000
