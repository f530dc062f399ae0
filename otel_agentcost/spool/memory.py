"""The in-memory bound: batches accepted by `export()` and not yet delivered or written to the spool.

`export()` only appends here, under a lock held for a few operations, so it returns at once whatever the store
does. Two threads take batches out, oldest first: the delivery thread sends them; the spill thread writes them to
disk when delivery is failing (so they are durable while the store is down) or when more than `spill_spans` wait
(the store is slow). Past `max_spans` (the spill thread cannot keep up: the disk is stalled) `offer` refuses, and
the caller counts the drop.

Everything shared between the threads is here, guarded by one condition that every change notifies.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan


@dataclass
class Batch:
    sequence: int
    accepted_ns: int
    spans: Sequence[ReadableSpan]
    prepared: Any = None  # what the exporter made of the spans ahead of delivery (see exporter.py), or None
    spilled: Path | None = field(default=None)  # its copy in the spool, once written there


class MemoryQueue:
    def __init__(self, spill_spans: int, max_spans: int) -> None:
        self.changed = threading.Condition()
        self.spill_spans = spill_spans
        self.max_spans = max_spans
        self.spans = 0
        self.failing = False  # the last delivery failed: everything accepted goes to disk
        self.stopping = False  # shutdown began: spill what delivery has not taken
        self.in_flight: Batch | None = None
        self._batches: deque[Batch] = deque()
        self._sequence = itertools.count()

    def offer(self, spans: Sequence[ReadableSpan], prepared: Any = None) -> bool:
        with self.changed:
            if self.spans + len(spans) > self.max_spans:
                return False
            self._batches.append(Batch(next(self._sequence), time.time_ns(), spans, prepared))
            self.spans += len(spans)
            self.changed.notify_all()
            return True

    def prepared_waiting(self) -> int:
        """How many waiting batches hold what the exporter prepared of them."""
        with self.changed:
            return sum(batch.prepared is not None for batch in self._batches)

    def take_for_delivery(self) -> Batch | None:
        """The oldest batch, now in flight (caller holds `changed`)."""
        batch = self._pop()
        self.in_flight = batch
        return batch

    def take_for_spill(self) -> Batch | None:
        """The oldest batch when it should go to disk now (caller holds `changed`)."""
        if self.failing or self.stopping or self.spans > self.spill_spans:
            return self._pop()
        return None

    def settle(self) -> None:
        """The batch in flight is done with (caller holds `changed`)."""
        self.in_flight = None
        self.changed.notify_all()

    def idle(self) -> bool:
        return not self._batches and self.in_flight is None

    def __bool__(self) -> bool:
        return bool(self._batches)

    def _pop(self) -> Batch | None:
        if not self._batches:
            return None
        batch = self._batches.popleft()
        self.spans -= len(batch.spans)
        return batch
