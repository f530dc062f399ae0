"""The rule that the instrumentation never breaks the agent it observes, in one place.

Every wrapper runs its own bookkeeping through `quietly`, so that a bug here, a response of a shape we did not
expect, or a pricing failure is logged and the SDK call goes on exactly as without instrumentation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

_log = logging.getLogger("otel_agentcost.instrumentation")

_T = TypeVar("_T")


def quietly(what: str, func: Callable[..., _T], *args: object, fallback: _T) -> _T:
    """`func(*args)`, or `fallback` when it raises; the failure is logged, never propagated."""
    try:
        return func(*args)
    except Exception:
        _log.warning("agentcost: %s failed; the call goes on uninstrumented", what, exc_info=True)
        return fallback
