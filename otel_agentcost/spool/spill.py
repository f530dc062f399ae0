"""The spill thread: moves batches from memory to the spool directory when they should not wait in memory.

It writes while delivery is failing (so that what was accepted survives the process), while more than the memory
threshold waits (the store is slow: delivery is stuck in a long export), and at shutdown (what delivery did not
take). A batch the directory has no room for is dropped and counted. `write` is also how the delivery thread
spools a batch whose delivery failed, and how shutdown keeps a copy of the batch in flight.
"""

from __future__ import annotations

import os
import threading

from otel_agentcost.spool.codec import encode_batch
from otel_agentcost.spool.drops import DropCounter
from otel_agentcost.spool.errors import SpoolFullError
from otel_agentcost.spool.memory import Batch, MemoryQueue
from otel_agentcost.spool.segments import SpoolDirectory, segment_name


class Spiller:
    def __init__(self, memory: MemoryQueue, directory: SpoolDirectory, drops: DropCounter) -> None:
        self.spooled_spans = 0
        self._memory = memory
        self._directory = directory
        self._drops = drops
        self.thread = threading.Thread(target=self._run, name="otel-agentcost-spool-spill", daemon=True)

    def write(self, batch: Batch) -> None:
        name = segment_name(batch.accepted_ns, os.getpid(), batch.sequence)
        try:
            batch.spilled = self._directory.write(name, encode_batch(batch.spans), len(batch.spans))
        except SpoolFullError as error:
            self._drops.drop(len(batch.spans), error.reason, str(error))
            return
        self.spooled_spans += len(batch.spans)
        with self._memory.changed:
            self._memory.changed.notify_all()  # delivery looks at the directory again

    def _run(self) -> None:
        """Until shutdown has begun and memory is empty."""
        memory = self._memory
        while True:
            with memory.changed:
                batch = memory.take_for_spill()
                while batch is None and not (memory.stopping and not memory):
                    memory.changed.wait()
                    batch = memory.take_for_spill()
            if batch is None:
                return
            self.write(batch)
