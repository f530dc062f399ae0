"""The shape every wrapper shares: start a call, run the SDK method with the span current, settle the result.

`settle` turns the SDK's result into what the caller gets: the same object for a finished response (after its
usage is recorded), or a stream proxy that ends the span later. Whatever goes wrong in our part, the caller gets
the SDK's own result or exception, unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .llm_call import LLMCall

_log = logging.getLogger("otel_agentcost.instrumentation")

Settle = Callable[[LLMCall, Any], Any]


def _settle(call: LLMCall, settle: Settle, result: Any) -> Any:
    try:
        return settle(call, result)
    except Exception:
        _log.warning("agentcost: could not record an LLM response; the caller gets it unchanged", exc_info=True)
        call.finish()
        return result


def run_sync(
    wrapped: Callable[..., Any], args: tuple[Any, ...], kwargs: Mapping[str, Any], call: LLMCall, settle: Settle
) -> Any:
    call.activate()
    try:
        result = wrapped(*args, **kwargs)
    except BaseException as error:
        call.deactivate()
        call.finish(error)
        raise
    call.deactivate()
    return _settle(call, settle, result)


async def run_async(
    wrapped: Callable[..., Awaitable[Any]],
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
    call: LLMCall,
    settle: Settle,
) -> Any:
    call.activate()
    try:
        result = await wrapped(*args, **kwargs)
    except BaseException as error:
        call.deactivate()
        call.finish(error)
        raise
    call.deactivate()
    return _settle(call, settle, result)


def finish_with(record: Callable[[LLMCall, Any], None]) -> Settle:
    """A `settle` for responses that arrive whole: record them, end the span, hand them back."""

    def settle(call: LLMCall, result: Any) -> Any:
        record(call, result)
        call.finish()
        return result

    return settle
