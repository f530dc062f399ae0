"""The agent's spool: exporting never blocks the agent, and spans survive a store that is down or slow.

`SpoolingSpanExporter(exporter)` wraps any span exporter; `spooling_processor(exporter)` is the span processor
`agentcost.init()` and the `opentelemetry-instrument` configurator put in front of their exporters.
"""

from __future__ import annotations

from otel_agentcost.spool.exporter import SpoolingSpanExporter
from otel_agentcost.spool.processor import spooling_processor

__all__ = ["SpoolingSpanExporter", "spooling_processor"]
