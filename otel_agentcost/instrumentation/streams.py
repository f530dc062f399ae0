"""Stream proxies: the caller iterates the SDK's stream as before, while each item is shown to an observer.

The proxy ends the call's span however the stream ends: read to the end, failed, closed, left by a `with` block,
or dropped and garbage collected after the caller broke out of its loop. An observer may hide an item (the
usage-only chunk that the instrumentation asked for and the caller did not).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterator
from types import TracebackType
from typing import Any, Protocol

import wrapt

from .llm_call import LLMCall

_log = logging.getLogger(__name__)


class StreamObserver(Protocol):
    def observe(self, item: Any) -> bool:
        """Records what `item` says about the call; returns False to hide it from the caller."""
        ...


def _abandon(call: LLMCall) -> None:
    call.finish(abandoned=True)


def _observed(stream: Any, call: LLMCall, observer: StreamObserver) -> Iterator[Any]:
    """The stream's items as the caller sees them, each shown to the observer first; the span ends with the stream.

    A generator rather than a `__next__` method: resuming one costs a fraction of a Python method call, and this
    runs on every item. Closed or collected unfinished (the caller left early), it ends the span as abandoned.
    """
    observe = observer.observe
    try:
        for item in stream:
            try:
                shown = observe(item)
            except Exception:
                _log.debug("agentcost: could not read a stream item", exc_info=True)
                shown = True
            if shown:
                yield item
    except GeneratorExit:
        call.finish(abandoned=True)
        raise
    except BaseException as error:
        call.finish(error)
        raise
    call.finish()


class SyncStreamProxy(wrapt.ObjectProxy):  # type: ignore[misc]
    def __init__(self, stream: Any, call: LLMCall, observer: StreamObserver) -> None:
        super().__init__(stream)
        self._self_call = call
        self._self_items = _observed(stream, call, observer)
        # Ends the span of a stream the caller dropped before reading it (once read from, the generator itself ends
        # it when dropped). It watches the generator, not the proxy: `for chunk in client...create(stream=True)`
        # drops the proxy at once and holds only the generator.
        self._self_finalizer = weakref.finalize(self._self_items, _abandon, call)

    def __iter__(self) -> Iterator[Any]:
        return self._self_items

    def __next__(self) -> Any:
        return self._self_items.__next__()

    def __enter__(self) -> SyncStreamProxy:
        self.__wrapped__.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Any:
        try:
            return self.__wrapped__.__exit__(exc_type, exc, tb)
        finally:
            # A no-op after a stream read to the end; otherwise the caller left early (its own error is not ours).
            self._self_call.finish(abandoned=True)

    def close(self) -> None:
        try:
            self.__wrapped__.close()
        finally:
            self._self_call.finish(abandoned=True)


class AsyncStreamProxy(wrapt.ObjectProxy):  # type: ignore[misc]
    def __init__(self, stream: Any, call: LLMCall, observer: StreamObserver) -> None:
        super().__init__(stream)
        self._self_call = call
        self._self_observer = observer
        self._self_finalizer = weakref.finalize(self, _abandon, call)

    def __aiter__(self) -> AsyncStreamProxy:
        return self

    async def __anext__(self) -> Any:
        """As `_observed`, item by item: an async generator left unfinished is closed through the event loop, which
        may be gone by then, so the proxy keeps this method."""
        while True:
            try:
                item = await self.__wrapped__.__anext__()
            except StopAsyncIteration:
                self._self_call.finish()
                raise
            except BaseException as error:
                self._self_call.finish(error)
                raise
            try:
                shown = self._self_observer.observe(item)
            except Exception:
                _log.debug("agentcost: could not read a stream item", exc_info=True)
                shown = True
            if shown:
                return item

    async def __aenter__(self) -> AsyncStreamProxy:
        await self.__wrapped__.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Any:
        try:
            return await self.__wrapped__.__aexit__(exc_type, exc, tb)
        finally:
            self._self_call.finish(abandoned=True)

    async def close(self) -> None:
        try:
            await self.__wrapped__.close()
        finally:
            self._self_call.finish(abandoned=True)
