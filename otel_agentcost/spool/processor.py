"""The span processor in front of an exporter that sends to a store: the SDK's batch processor over the spool.

The batch processor still batches (its `OTEL_BSP_*` variables keep working) and its worker now only hands batches
to the spool, which never blocks, so its queue no longer fills while the store is slow. The console exporter is
left unwrapped: it cannot be down, and there is nothing to keep for it. `AGENTCOST_SPOOL=off` leaves every
exporter unwrapped.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from opentelemetry.sdk.environment_variables import OTEL_BSP_MAX_EXPORT_BATCH_SIZE, OTEL_BSP_MAX_QUEUE_SIZE
from opentelemetry.sdk.trace import SpanProcessor
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

from otel_agentcost.spool.exporter import DEFAULT_QUEUE_SPANS, SpoolingSpanExporter
from otel_agentcost.spool.settings import spool_enabled


def spooling_processor(exporter: SpanExporter) -> SpanProcessor:
    batching = batch_sizes(exporter)
    if spool_enabled() and not isinstance(exporter, ConsoleSpanExporter):
        # Memory holds two of the larger batches, so that one waiting while another is delivered stays off the disk.
        queue_spans = max(DEFAULT_QUEUE_SPANS, 2 * batching.get("max_export_batch_size", 0))
        exporter = SpoolingSpanExporter(exporter, queue_spans=queue_spans)
    return BatchSpanProcessor(exporter, **batching)


def batch_sizes(exporter: SpanExporter, environ: Mapping[str, str] = os.environ) -> dict[str, int]:
    """The batch processor's sizes for an exporter that declares `preferred_batch_spans` (one insert per export),
    when the user set neither size; otherwise the SDK's (512 a batch, 2,048 queued: right for OTLP requests, which
    receivers cap in bytes). The queue holds four batches, as the SDK's defaults do."""
    preferred = getattr(exporter, "preferred_batch_spans", None)
    if not preferred or OTEL_BSP_MAX_EXPORT_BATCH_SIZE in environ or OTEL_BSP_MAX_QUEUE_SIZE in environ:
        return {}
    return {"max_export_batch_size": preferred, "max_queue_size": 4 * preferred}
