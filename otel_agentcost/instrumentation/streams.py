"""Stream proxies: the caller iterates the SDK's stream as before, while each item is shown to an observer.

The proxy ends the call's span however the stream ends: read to the end, failed, closed, left by a `with` block,
or dropped and garbage collected after the caller broke out of its loop. An observer may hide an item (the
usage-only chunk that the instrumentation asked for and the caller did not).
"""

from __future__ import annotations

import logging
import weakref
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


class SyncStreamProxy(wrapt.ObjectProxy):  # type: ignore[misc]
    def __init__(self, stream: Any, call: LLMCall, observer: StreamObserver) -> None:
        super().__init__(stream)
        self._self_call = call
        self._self_observer = observer
        # Ends the span of a stream the caller dropped without reading it to the end or closing it.
        self._self_finalizer = weakref.finalize(self, _abandon, call)

    def __iter__(self) -> SyncStreamProxy:
        return self

    def __next__(self) -> Any:
        """Runs on every item, so the observer is called inline rather than through a helper."""
        while True:
            try:
                item = self.__wrapped__.__next__()
            except StopIteration:
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
        """As `SyncStreamProxy.__next__`."""
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
