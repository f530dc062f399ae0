"""The simulated clock: what time it is, in the simulation, for the code running now.

Each actor of the fleet runs in a `contextvars.Context` of its own, so the simulated now is a context variable:
concurrent sessions each read their own time, and code outside the simulation reads none.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime, timezone

_now_ns: ContextVar[int | None] = ContextVar("agentcost_demo_now_ns", default=None)


def set_now(at: datetime) -> None:
    """Moves the simulated clock of the current context to `at` (a timezone-aware datetime)."""
    if at.tzinfo is None:
        raise ValueError(f"simulated times must be timezone-aware, got {at.isoformat()}")
    _now_ns.set(to_ns(at))


def now_ns() -> int | None:
    """The simulated now in nanoseconds since the epoch, or None outside the simulation."""
    return _now_ns.get()


def to_ns(at: datetime) -> int:
    """Exact nanoseconds since the epoch (a float timestamp would round the microseconds away)."""
    delta = at - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000
