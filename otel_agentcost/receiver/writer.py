"""One writer thread between the HTTP handlers and the store: a bounded queue, coalesced inserts, per-request results.

The receiver acknowledges a request only once its spans are inserted, so each submitted request gets a Future that
the writer resolves after the insert that carried it. Small requests from many agents are coalesced into one insert
(ClickHouse prefers few large inserts); if a coalesced insert fails, each request is retried alone so that one bad
request cannot fail the others. The queue is bounded in spans, counting the batch being inserted, so memory stays
bounded and a full queue is answered with "retry later" instead of growing.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Protocol

from otel_agentcost.store.columns import SpanRow

_log = logging.getLogger(__name__)


class SpanStore(Protocol):
    def insert_spans(self, rows: Sequence[SpanRow]) -> None: ...


class QueueFull(Exception):
    """No room for more spans now; the client should retry later."""


class WriterClosed(Exception):
    """The writer is shutting down and takes no more spans."""


class StoreWriteError(Exception):
    """The store refused or failed the insert that carried a request's spans; nothing of it was acknowledged."""


_Pending = tuple[Sequence[SpanRow], "Future[None]"]


class SpanWriter:
    def __init__(self, store: SpanStore, *, capacity_spans: int, batch_spans: int) -> None:
        if capacity_spans < 1 or batch_spans < 1:
            raise ValueError("capacity_spans and batch_spans must be at least 1")
        self._store = store
        self._capacity = capacity_spans
        self._batch_spans = batch_spans
        self._pending: deque[_Pending] = deque()
        self._queued_spans = 0  # pending plus the batch being inserted
        self._closing = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="agentcost-span-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def queued_spans(self) -> int:
        with self._cond:
            return self._queued_spans

    @property
    def accepting(self) -> bool:
        with self._cond:
            return not self._closing

    def has_room(self) -> bool:
        """A cheap check before reading a request body, so a full queue costs the client no upload."""
        with self._cond:
            return self._queued_spans < self._capacity

    def submit(self, rows: Sequence[SpanRow]) -> Future[None]:
        """Queue one request's spans; the Future completes once they are stored (or fails with StoreWriteError).

        A request larger than the whole queue is taken when the queue is empty, so it is never refused forever.
        """
        future: Future[None] = Future()
        with self._cond:
            if self._closing:
                raise WriterClosed("the receiver is shutting down")
            if self._queued_spans and self._queued_spans + len(rows) > self._capacity:
                raise QueueFull(f"{self._queued_spans} spans are waiting to be stored (limit {self._capacity})")
            self._pending.append((rows, future))
            self._queued_spans += len(rows)
            self._cond.notify()
        return future

    def close(self) -> None:
        """Stop taking spans, store everything already queued, and stop the thread."""
        with self._cond:
            self._closing = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closing:
                    self._cond.wait()
                if not self._pending:
                    return
                batch = self._take_batch()
            self._write(batch)
            with self._cond:
                self._queued_spans -= sum(len(rows) for rows, _ in batch)

    def _take_batch(self) -> list[_Pending]:
        batch = [self._pending.popleft()]
        size = len(batch[0][0])
        while self._pending and size + len(self._pending[0][0]) <= self._batch_spans:
            size += len(self._pending[0][0])
            batch.append(self._pending.popleft())
        return batch

    def _write(self, batch: list[_Pending]) -> None:
        live = [(rows, future) for rows, future in batch if future.set_running_or_notify_cancel()]
        if len(live) <= 1:
            for item in live:
                self._write_alone(item)
            return
        try:
            self._store.insert_spans([row for rows, _ in live for row in rows])
        except Exception:
            _log.warning("a coalesced insert of %d requests failed; storing each alone", len(live))
            for item in live:
                self._write_alone(item)
            return
        for _, future in live:
            future.set_result(None)

    def _write_alone(self, item: _Pending) -> None:
        rows, future = item
        try:
            self._store.insert_spans(rows)
        except Exception as error:
            _log.exception("storing %d spans failed", len(rows))
            future.set_exception(StoreWriteError(f"storing the spans failed: {error}"))
        else:
            future.set_result(None)
