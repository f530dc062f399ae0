"""Spans the spool could not keep: counted by reason, logged when dropping starts and at shutdown, never silent.

A drop happens only when both bounds are reached: the memory queue is full and the spool directory is at its cap
(or the disk refuses the write). The first drop of an episode logs one WARNING naming the cause and the setting that
bounds it; further drops are only counted until the store takes a batch again. The counts are attributes of the exporter
and an OpenTelemetry observable counter, `agentcost.spool.dropped_spans` by `reason`, on the meter provider given
(the global one by default: exported wherever the application sends its metrics).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, MeterProvider, Observation

_log = logging.getLogger("otel_agentcost.spool")

METRIC = "agentcost.spool.dropped_spans"


class DropCounter:
    def __init__(self, meter_provider: MeterProvider | None = None) -> None:
        self._by_reason: dict[str, int] = {}  # under _lock
        self._dropping = False
        self._lock = threading.Lock()
        meter = (meter_provider or metrics.get_meter_provider()).get_meter("otel_agentcost.spool")
        meter.create_observable_counter(
            METRIC, callbacks=[self._observe], unit="{span}", description="spans the agent's spool had to drop"
        )

    @property
    def total(self) -> int:
        return sum(self.counts().values())

    def counts(self) -> dict[str, int]:
        """Dropped spans by reason, as of now."""
        with self._lock:
            return dict(self._by_reason)

    def drop(self, count: int, reason: str, cause: str) -> None:
        with self._lock:
            self._by_reason[reason] = self._by_reason.get(reason, 0) + count
            starting, self._dropping = not self._dropping, True
        if starting:
            _log.warning(
                "otel-agentcost spool: dropping spans: %s; %d span(s) dropped so far, counting on until the store "
                "takes spans again",
                cause,
                self.total,
            )

    def recovered(self) -> None:
        """The store took a batch again: the next drop starts a new episode with its own log line."""
        self._dropping = False

    def report(self) -> None:
        counts = self.counts()
        if counts:
            reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(counts.items()))
            _log.warning("otel-agentcost spool: dropped %d span(s) in this process (%s)", self.total, reasons)

    def _observe(self, options: CallbackOptions) -> Iterable[Observation]:
        return [Observation(count, {"reason": reason}) for reason, count in self.counts().items()]
