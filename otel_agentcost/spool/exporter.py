"""`SpoolingSpanExporter`: any span exporter, made never to block its caller and never to lose spans silently.

The SDK's batch processor calls `export` from its worker and waits for it; with a slow or unreachable store that
wait fills the processor's queue, which then drops spans. Wrapped here, `export` only hands the batch to memory
(see memory.py) and returns: a delivery thread sends it on (delivery.py), and when delivery fails or memory holds
too much, batches go to a durable directory (segments.py) from which they are delivered, oldest first, once the
store takes them again, in this process or the next one that starts with the same directory. Only a full spool
(its byte cap, or a disk that refuses the write) drops spans, and each is counted (drops.py).

Delivery is at least once: a file is deleted after the store acknowledged it, so a process killed between the two
sends it again at the next start, and so does a batch whose acknowledgement was lost. The ClickHouse table
deduplicates an identical re-inserted block (`non_replicated_deduplication_window`) and the views count one row
per span id.

`shutdown` delivers for at most its time bound, then leaves what remains in the spool directory.

An exporter whose work splits into a part that needs no store and the sending (`PreparingExporter`: the ClickHouse
exporter turns spans into the block it inserts) gets the first part done by `export`, on the batch processor's
thread, while the delivery thread is storing the batch before: the two overlap instead of taking turns. At most
PREPARED_AHEAD batches wait prepared, so memory grows by that many blocks at most; a batch that was not prepared
(it queued behind those, or came back from the spool's files) is exported whole.
"""

from __future__ import annotations

import logging
import os
import time
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from opentelemetry.metrics import MeterProvider
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from otel_agentcost.spool import settings
from otel_agentcost.spool.delivery import Backoff, Deliverer
from otel_agentcost.spool.drops import DropCounter
from otel_agentcost.spool.memory import MemoryQueue
from otel_agentcost.spool.segments import SpoolDirectory
from otel_agentcost.spool.spill import Spiller

_log = logging.getLogger("otel_agentcost.spool")

DEFAULT_QUEUE_SPANS = 8192
# Batches waiting prepared: one for delivery to take as soon as it is free, one more so that a batch handed over just
# before delivery takes the one ahead of it is prepared too.
PREPARED_AHEAD = 2


@runtime_checkable
class PreparingExporter(Protocol):
    """A span exporter whose export is `export_prepared(prepare(spans))`, the first part needing no store."""

    def prepare(self, spans: Sequence[ReadableSpan]) -> Any: ...

    def export_prepared(self, prepared: Any) -> SpanExportResult: ...


_POLL_SECONDS = 0.05  # how often a flush looks at the directory again while it waits
# Time shutdown grants, past its bound, to write what is still in memory to disk: those spans were accepted.
_SPILL_GRACE_SECONDS = 2.0


class SpoolingSpanExporter(SpanExporter):
    """Wraps `exporter`. Settings not given come from the environment (see settings.py).

    `queue_spans`: spans held in memory before batches go to disk even while delivery succeeds (twice as many are
    held while the disk cannot keep up, then batches are dropped). `initial_backoff`/`max_backoff`: seconds between
    attempts while delivery fails. `rescan_seconds`: how often an idle process looks for files another process
    left in a shared directory.
    """

    def __init__(
        self,
        exporter: SpanExporter,
        *,
        directory: str | os.PathLike[str] | None = None,
        max_bytes: int | None = None,
        shutdown_seconds: float | None = None,
        queue_spans: int = DEFAULT_QUEUE_SPANS,
        initial_backoff: float = 0.5,
        max_backoff: float = 30.0,
        rescan_seconds: float = 5.0,
        meter_provider: MeterProvider | None = None,
    ) -> None:
        if queue_spans <= 0:
            raise ValueError(f"queue_spans={queue_spans}: give a positive number of spans")
        self.exporter = exporter
        self.directory = Path(directory) if directory else settings.spool_directory(settings.target_of(exporter))
        self.shutdown_seconds = settings.shutdown_seconds() if shutdown_seconds is None else shutdown_seconds
        Backoff(initial_backoff, max_backoff)  # refuses bad bounds here, before any thread starts
        self._spool = SpoolDirectory(self.directory, settings.max_bytes() if max_bytes is None else max_bytes)
        self._drops = DropCounter(meter_provider)
        self._shut_down = False
        self._options = (queue_spans, initial_backoff, max_backoff, rescan_seconds)
        self._start()
        if hasattr(os, "register_at_fork"):
            # A forked child has none of the parent's threads: it gets its own, and the parent keeps its batches.
            start = weakref.WeakMethod(self._start)
            os.register_at_fork(after_in_child=lambda: (method := start()) is not None and method())

    def _start(self) -> None:
        queue_spans, initial_backoff, max_backoff, rescan_seconds = self._options
        self._memory = MemoryQueue(spill_spans=queue_spans, max_spans=2 * queue_spans)
        self._spiller = Spiller(self._memory, self._spool, self._drops)
        self._deliverer = Deliverer(
            self.exporter,
            self._memory,
            self._spool,
            self._spiller,
            self._drops,
            Backoff(initial_backoff, max_backoff),
            rescan_seconds,
        )
        self._spiller.thread.start()
        self._deliverer.thread.start()

    @property
    def dropped_spans(self) -> int:
        """Spans this exporter accepted and could not keep, in total."""
        return self._drops.total

    @property
    def dropped_by_reason(self) -> dict[str, int]:
        """`queue_full`, `spool_full`, `disk_error`, `after_shutdown`: see the module's docstring."""
        return self._drops.counts()

    @property
    def delivered_spans(self) -> int:
        """Spans the wrapped exporter took, from memory or from the spool (another process's files included)."""
        return self._deliverer.delivered_spans

    @property
    def spooled_spans(self) -> int:
        """Spans this process wrote to the spool directory."""
        return self._spiller.spooled_spans

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self._shut_down:
            self._drops.drop(len(spans), "after_shutdown", "export() was called after shutdown()")
            return SpanExportResult.FAILURE
        prepared = self._prepared(spans) if self._memory.prepared_waiting() < PREPARED_AHEAD else None
        if not self._memory.offer(spans, prepared):
            cause = f"{self._memory.max_spans} spans wait in memory and the spool {self.directory} cannot keep up"
            self._drops.drop(len(spans), "queue_full", cause)
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def _prepared(self, spans: Sequence[ReadableSpan]) -> Any:
        """The exporter's preparation of `spans`, or None (it does not prepare, or failed to: the batch is then
        exported whole, and the exporter reports what went wrong)."""
        if not isinstance(self.exporter, PreparingExporter):
            return None
        try:
            return self.exporter.prepare(spans)
        except Exception:
            _log.debug("otel-agentcost spool: could not prepare a batch ahead of delivery", exc_info=True)
            return None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Waits until everything accepted has been delivered and the spool directory is empty; False when
        `timeout_millis` passes first (what remains stays queued or spooled)."""
        deadline = time.monotonic() + timeout_millis / 1000
        with self._memory.changed:
            while not (self._memory.idle() and not self._spool.pending()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._memory.changed.wait(min(remaining, _POLL_SECONDS))
        return True

    def shutdown(self, timeout_millis: float | None = None) -> None:
        """Delivers for at most `shutdown_seconds` (or `timeout_millis`, if shorter), stopping early when
        delivery fails; spools what is left (granting the disk writes up to two seconds more), then shuts the
        wrapped exporter down."""
        if self._shut_down:
            return
        self._shut_down = True
        seconds = self.shutdown_seconds if timeout_millis is None else min(self.shutdown_seconds, timeout_millis / 1e3)
        deadline = time.monotonic() + seconds
        self._deliver_until(deadline)
        self._spool_the_rest(deadline)
        self._deliverer.thread.join(max(0.0, deadline - time.monotonic()))
        self.exporter.shutdown()
        self._report()

    def _deliver_until(self, deadline: float) -> None:
        memory = self._memory
        with memory.changed:
            while not memory.failing and not (memory.idle() and not self._spool.pending()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                memory.changed.wait(min(remaining, _POLL_SECONDS))
            memory.stopping = True
            self._deliverer.halt.set()
            memory.changed.notify_all()

    def _spool_the_rest(self, deadline: float) -> None:
        """Memory goes to disk through the spill thread; a batch still in flight is copied there too, in case
        this process ends before its delivery does (the copy is deleted if the delivery succeeds)."""
        self._spiller.thread.join(max(0.0, deadline - time.monotonic()) + _SPILL_GRACE_SECONDS)
        with self._memory.changed:
            batch = self._memory.in_flight
            if batch is not None and batch.spilled is None:
                self._spiller.write(batch)

    def _report(self) -> None:
        left = self._spool.span_count()
        if left:
            _log.warning(
                "otel-agentcost spool: %d span(s) wait in %s; they are delivered when an agent with the same "
                "destination starts again",
                left,
                self.directory,
            )
        self._drops.report()
