"""The span processor in front of an exporter that sends to a store: the SDK's batch processor over the spool.

The batch processor still batches (its `OTEL_BSP_*` variables keep working) and its worker now only hands batches
to the spool, which never blocks, so its queue no longer fills while the store is slow. The console exporter is
left unwrapped: it cannot be down, and there is nothing to keep for it. `AGENTCOST_SPOOL=off` leaves every
exporter unwrapped.
"""

from __future__ import annotations

from opentelemetry.sdk.trace import SpanProcessor
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

from otel_agentcost.spool.exporter import SpoolingSpanExporter
from otel_agentcost.spool.settings import spool_enabled


def spooling_processor(exporter: SpanExporter) -> SpanProcessor:
    if spool_enabled() and not isinstance(exporter, ConsoleSpanExporter):
        exporter = SpoolingSpanExporter(exporter)
    return BatchSpanProcessor(exporter)
