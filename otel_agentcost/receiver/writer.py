"""Two threads between the HTTP handlers and the store: one makes requests durable, one stores them.

The journal thread takes every request waiting (up to a batch), writes them as one journal segment, fsyncs it and
resolves their Futures: the receiver answers 200 then, before the insert. The insert thread stores segments in the
order they were written, as many as have piled up (up to a batch of spans) in one insert named by the journal batch's
deduplication token, and deletes them once stored. A failed insert is retried as the same batch (with a growing
pause) until it succeeds: its requests were acknowledged. What an earlier run left is replayed first, batch by
batch exactly as recorded.

Memory stays bounded: spans waiting to be journalled are capped (a full queue is answered "retry later"), and a
segment's decoded spans are kept for its insert only while the spans held that way fit the same cap; beyond it the
insert thread decodes the segment back from disk. Disk is capped by the receiver, which refuses requests while the
journal holds more than its limit. On `close()` everything journalled is stored unless the store is failing, in
which case it stays in the journal for the next start.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Protocol

from otel_agentcost.receiver.journal import (
    KIND_JSON,
    KIND_PROTOBUF,
    Batch,
    CorruptSegment,
    Journal,
    Record,
    Segment,
    read_records,
)
from otel_agentcost.receiver.otlp import DecodedSpans, PayloadError, decode_json, decode_protobuf
from otel_agentcost.store.block import SpanBlock

_log = logging.getLogger(__name__)

# Seconds between attempts to store a segment while the store fails: doubling from the first, up to the last.
_RETRY_FIRST = 0.1
_RETRY_MOST = 5.0
# Seconds the oldest segment waits for more to fill an insert of a whole batch. Most of an insert's cost in the engine
# is per insert (a part, the rollups' views, later merges): agents send a few hundred spans at a time, and storing each
# request alone costs several times what blocks of thousands do. Short enough that a span is stored within a second.
_LINGER = 0.5


class SpanStore(Protocol):
    def insert_spans(self, spans: SpanBlock, *, dedup_token: str | None = None) -> None: ...


class QueueFull(Exception):
    """No room for more spans now; the client should retry later."""


class WriterClosed(Exception):
    """The writer is shutting down and takes no more spans."""


class JournalWriteError(Exception):
    """The journal could not make a request durable (a full disk, an I/O error); nothing of it was acknowledged."""


@dataclass
class _Waiting:
    record: Record
    spans: SpanBlock
    future: Future[None]


@dataclass
class _Unstored:
    segment: Segment
    blocks: list[SpanBlock] | None  # None: decode from the segment file when its turn comes
    spans: int
    replay: Batch | None = None  # a batch an earlier run recorded, stored as it is
    journalled: float = 0.0  # time.monotonic() when it was


class SpanWriter:
    def __init__(self, store: SpanStore, journal: Journal, *, capacity_spans: int, batch_spans: int) -> None:
        if capacity_spans < 1 or batch_spans < 1:
            raise ValueError("capacity_spans and batch_spans must be at least 1")
        self._store = store
        self._journal = journal
        self._capacity = capacity_spans
        self._batch_spans = batch_spans
        self._waiting: deque[_Waiting] = deque()
        self._waiting_spans = 0
        self._unstored: deque[_Unstored] = deque()
        self._spans_in_memory = 0  # spans kept for the insert thread
        self._journalling_done = False
        self._closing = False
        self._failure: str | None = None
        self._cond = threading.Condition()
        self._threads = [
            threading.Thread(target=self._journal_loop, name="agentcost-journal", daemon=True),
            threading.Thread(target=self._insert_loop, name="agentcost-insert", daemon=True),
        ]

    def start(self) -> None:
        """Queue what the journal holds from an earlier run ahead of anything new, then start both threads."""
        for batch in self._journal.recover():
            self._unstored.append(_Unstored(batch.segments[0], None, 0, batch))
        for thread in self._threads:
            thread.start()

    @property
    def queued_spans(self) -> int:
        """Spans acknowledged or waiting to be, not yet stored (those of replayed segments are not counted)."""
        with self._cond:
            return self._waiting_spans + sum(item.spans for item in self._unstored)

    @property
    def accepting(self) -> bool:
        with self._cond:
            return not self._closing

    @property
    def store_failure(self) -> str | None:
        """Why the last insert failed, while the store keeps failing; None when the store takes inserts."""
        with self._cond:
            return self._failure

    def has_room(self) -> bool:
        """A cheap check before reading a request body, so a full queue costs the client no upload."""
        with self._cond:
            return self._waiting_spans < self._capacity

    def submit(self, record: Record, spans: SpanBlock) -> Future[None]:
        """Queue one request; the Future completes once it is durable in the journal (or fails with
        JournalWriteError). A request larger than the whole queue is taken when the queue is empty."""
        future: Future[None] = Future()
        with self._cond:
            if self._closing:
                raise WriterClosed("the receiver is shutting down")
            if self._waiting_spans and self._waiting_spans + spans.size > self._capacity:
                raise QueueFull(f"{self._waiting_spans} spans are waiting to be journalled (limit {self._capacity})")
            self._waiting.append(_Waiting(record, spans, future))
            self._waiting_spans += spans.size
            self._cond.notify_all()
        return future

    def wait_until_stored(self, timeout: float | None = None) -> bool:
        """Wait until everything journalled so far (replays included) is stored; False if `timeout` came first."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._waiting and not self._unstored, timeout)

    def close(self) -> None:
        """Stop taking requests, journal and store everything taken, and stop both threads."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        for thread in self._threads:
            if thread.is_alive():
                thread.join()

    def _journal_loop(self) -> None:
        while True:
            with self._cond:
                while not self._waiting and not self._closing:
                    self._cond.wait()
                if not self._waiting:
                    self._journalling_done = True
                    self._cond.notify_all()
                    return
                batch = self._take_batch()
            self._journal_batch(batch)

    def _take_batch(self) -> list[_Waiting]:
        batch = [self._waiting.popleft()]
        size = batch[0].spans.size
        while self._waiting and size + self._waiting[0].spans.size <= self._batch_spans:
            size += self._waiting[0].spans.size
            batch.append(self._waiting.popleft())
        return batch

    def _journal_batch(self, batch: list[_Waiting]) -> None:
        """Journal a batch; its spans count as waiting until then, so the queue's cap covers the write too."""
        live = [item for item in batch if item.future.set_running_or_notify_cancel()]
        try:
            segment = self._journal.write([item.record for item in live]) if live else None
        except OSError as error:
            _log.error("journal: cannot write a segment in %s: %s", self._journal.directory, error)
            for item in live:
                item.future.set_exception(JournalWriteError(f"the journal cannot take the request: {error}"))
            segment = None
        blocks = [item.spans for item in live] if segment is not None else []
        spans = sum(block.size for block in blocks)
        with self._cond:
            self._waiting_spans -= sum(item.spans.size for item in batch)
            if segment is None:
                return
            kept = blocks if self._spans_in_memory + spans <= self._capacity else None
            self._spans_in_memory += spans if kept is not None else 0
            self._unstored.append(_Unstored(segment, kept, spans, journalled=time.monotonic()))
            self._cond.notify_all()
        for item in live:
            item.future.set_result(None)

    def _insert_loop(self) -> None:
        attempts = 0
        pending: tuple[Batch, list[_Unstored], SpanBlock] | None = None  # kept as it is until stored
        while True:
            with self._cond:
                while not self._unstored and not self._journalling_done:
                    self._cond.wait()
                if not self._unstored:
                    return
                self._linger()
                items = self._next_items()
            try:
                if pending is None:
                    batch = self._batch_of(items)
                    pending = (batch, items, self._spans(batch, items))
            except OSError as error:
                _log.error("journal: cannot record a batch in %s: %s", self._journal.directory, error)
            else:
                if self._store_batch(*pending):
                    pending, attempts = None, 0
                    continue
            attempts += 1
            with self._cond:
                if self._closing:
                    _log.error("journal: the store is failing at shutdown; %d segment(s) stay in %s for the next "
                               "start", len(self._unstored), self._journal.directory)  # fmt: skip
                    return
                self._cond.wait(min(_RETRY_MOST, _RETRY_FIRST * 2 ** (attempts - 1)))

    def _linger(self) -> None:
        """Wait until the segments waiting make a whole batch, the oldest has waited _LINGER, or the writer closes."""
        head = self._unstored[0]
        if head.replay is not None:
            return
        self._cond.wait_for(
            lambda: self._closing or sum(item.spans for item in self._unstored) >= self._batch_spans,
            timeout=head.journalled + _LINGER - time.monotonic(),
        )

    def _next_items(self) -> list[_Unstored]:
        """The next insert's segments: a replayed batch alone, else the segments waiting, up to a batch of spans."""
        head = self._unstored[0]
        if head.replay is not None:
            return [head]
        items, spans = [head], head.spans
        for item in list(self._unstored)[1:]:
            if item.replay is not None or spans + item.spans > self._batch_spans:
                break
            items.append(item)
            spans += item.spans
        return items

    def _batch_of(self, items: list[_Unstored]) -> Batch:
        replay = items[0].replay
        return replay if replay is not None else self._journal.batch([item.segment for item in items])

    def _store_batch(self, batch: Batch, items: list[_Unstored], spans: SpanBlock) -> bool:
        """Insert one batch and forget it; False when the store failed (the batch stays, to be retried as it is)."""
        try:
            if spans.size:
                self._store.insert_spans(spans, dedup_token=batch.token)
        except Exception as error:
            _log.warning("storing journal batch %s failed, will retry: %s", batch.token, error)
            with self._cond:
                self._failure = str(error)
            return False
        self._journal.remove(batch)
        with self._cond:
            for item in items:
                self._unstored.popleft()
                self._spans_in_memory -= item.spans if item.blocks is not None else 0
            self._failure = None
            self._cond.notify_all()
        return True

    def _spans(self, batch: Batch, items: list[_Unstored]) -> SpanBlock:
        """The batch's spans: kept in memory, else decoded from its segments (one that no longer reads is set
        aside)."""
        kept = {id(item.segment): item.blocks for item in items}
        blocks: list[SpanBlock] = []
        for segment in batch.segments:
            in_memory = kept.get(id(segment))
            if in_memory is not None:
                blocks.extend(in_memory)
                continue
            try:
                blocks.extend(_decoded(segment))
            except (OSError, CorruptSegment, PayloadError) as error:
                self._journal.set_aside(segment, str(error))
        return SpanBlock.concat(blocks)


_DECODERS: dict[int, Callable[[bytes], DecodedSpans]] = {KIND_PROTOBUF: decode_protobuf, KIND_JSON: decode_json}


def _decoded(segment: Segment) -> list[SpanBlock]:
    """A segment's spans, decoded from the request bodies it holds as they were when acknowledged."""
    return [_DECODERS[record.kind](record.payload).block for record in read_records(segment.path)]
