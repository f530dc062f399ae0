"""The delivery thread: sends batches to the wrapped exporter, the spool's oldest files first, then memory.

Spool files are older than anything in memory (the spill thread always takes the oldest batch), so taking the
oldest file first keeps the order in which spans were accepted, including files a previous process left. A file is
deleted only after the wrapped exporter reported success; a failed one stays for the next attempt, after a pause
that doubles from `initial` to `maximum` and is reset by any success (unless the store takes later files while
refusing this one: see `_deliver_file`). A batch from memory whose delivery fails is written to the spool. An
unreadable file is moved aside (see segments.Claim.quarantine) and delivery goes on.

The thread runs with instrumentation suppressed, as the SDK's batch processor does around `export`, so that the
exporter's own HTTP calls are not traced into the spool.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from otel_agentcost.spool.codec import decode_batch
from otel_agentcost.spool.drops import DropCounter
from otel_agentcost.spool.errors import CorruptSegmentError
from otel_agentcost.spool.memory import Batch, MemoryQueue
from otel_agentcost.spool.segments import Claim, SpoolDirectory
from otel_agentcost.spool.spill import Spiller

_log = logging.getLogger("otel_agentcost.spool")

REFUSALS = 3  # times the store refuses a file while taking later ones, before the file is moved aside


class Backoff:
    def __init__(self, initial: float, maximum: float) -> None:
        if not 0 < initial <= maximum:
            raise ValueError(f"initial_backoff ({initial}) must be positive and at most max_backoff ({maximum})")
        self.initial = initial
        self.maximum = maximum
        self._delay = initial

    def next(self) -> float:
        delay, self._delay = self._delay, min(self._delay * 2, self.maximum)
        return delay

    def reset(self) -> None:
        self._delay = self.initial


class Deliverer:
    def __init__(
        self,
        exporter: SpanExporter,
        memory: MemoryQueue,
        directory: SpoolDirectory,
        spiller: Spiller,
        drops: DropCounter,
        backoff: Backoff,
        rescan_seconds: float,
    ) -> None:
        self.delivered_spans = 0
        self.halt = threading.Event()  # shutdown: start no further export
        self._exporter = exporter
        self._memory = memory
        self._directory = directory
        self._spiller = spiller
        self._drops = drops
        self._backoff = backoff
        self._rescan_seconds = rescan_seconds  # how often to look for files other processes left
        self._refusals: dict[Path, int] = {}  # failures of a file while the store took the file after it
        self.thread = threading.Thread(target=self._run, name="otel-agentcost-spool-delivery", daemon=True)

    def _run(self) -> None:
        with suppress_instrumentation():
            while not self.halt.is_set():
                try:
                    self._step()
                except Exception:  # the spool directory removed or unwritable: say so, and keep delivering
                    _log.exception("otel-agentcost spool: delivery failed in %s; retrying", self._directory.path)
                    self._pause()

    def _step(self) -> None:
        if not self._deliver_file():
            batch = self._next_batch()
            if batch is not None:
                self._deliver_batch(batch)

    def _deliver_file(self) -> bool:
        """Tries the oldest spool file this process can claim; False when there is none.

        When it fails, the next file is tried at once: if that one is taken, the store is up and refuses this
        batch (a permanent error, such as a request it rejects as malformed), and after `REFUSALS` such refusals
        the file is moved aside so that it does not hold back everything behind it. If both fail, the store is
        down: pause, then start again from the oldest. A store that comes back between the two attempts takes the
        next file first: that batch then arrives ahead of the older one, the one case where order gives way (to
        the store, whose tables sort by time, order does not matter; a batch held back behind the oldest would).
        """
        claim = self._directory.claim_oldest()
        if claim is None:
            return False
        if self._deliver_claimed(claim):
            return True
        other = self._directory.claim_oldest(skip=claim.path)
        if other is None or not self._deliver_claimed(other):
            self._pause()
            return True
        refusals = self._refusals[claim.path] = self._refusals.get(claim.path, 0) + 1
        refused = self._directory.claim(claim.path) if refusals >= REFUSALS else None
        if refused is not None:
            refused.quarantine(f"the store refused it {refusals} times while it took later batches")
            del self._refusals[claim.path]
        return True

    def _deliver_claimed(self, claim: Claim) -> bool:
        """Sends a claimed file: True once it is delivered (deleted) or unreadable (moved aside)."""
        try:
            payload, _ = claim.read()
            spans = decode_batch(payload)
        except CorruptSegmentError as error:
            claim.quarantine(str(error))
            return True
        if self._send(spans):
            claim.delete()
            self._refusals.pop(claim.path, None)
            return True
        claim.release()
        return False

    def _next_batch(self) -> Batch | None:
        with self._memory.changed:
            if not self._memory and not self.halt.is_set():
                self._memory.changed.wait(self._rescan_seconds)
            return None if self.halt.is_set() else self._memory.take_for_delivery()

    def _deliver_batch(self, batch: Batch) -> None:
        delivered = self._send(batch.spans, batch.prepared)
        with self._memory.changed:
            self._memory.settle()
            copy = batch.spilled  # written by shutdown while this batch was in flight
            if delivered and copy is not None:
                claim = self._directory.claim(copy)
                if claim is not None:
                    claim.delete()
        if not delivered:
            if copy is None:
                self._spiller.write(batch)
            self._pause()

    def _send(self, spans: Sequence[ReadableSpan], prepared: Any = None) -> bool:
        """Exports `spans`, or what the exporter prepared of them (see exporter.py)."""
        try:
            exporter: Any = self._exporter  # a PreparingExporter when anything was prepared
            result = exporter.export(spans) if prepared is None else exporter.export_prepared(prepared)
            delivered = result is SpanExportResult.SUCCESS
        except Exception:  # a broken exporter must not end delivery
            _log.exception("otel-agentcost spool: the exporter raised; the batch stays queued")
            delivered = False
        with self._memory.changed:
            self._memory.failing = not delivered
            self._memory.changed.notify_all()
        if delivered:
            self.delivered_spans += len(spans)
            self._backoff.reset()
            self._drops.recovered()
        return delivered

    def _pause(self) -> None:
        """Waits before the next attempt after a failure; shutdown cuts it short."""
        self.halt.wait(self._backoff.next())
