"""One global tracer provider for the test process, with an in-memory exporter.

OpenTelemetry lets a process set its global provider once, and the Anthropic SDK's own spans go to the global one,
so every test that inspects spans shares this provider and clears the exporter between tests.
"""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from otel_agentcost import AgentCostInstrumentor

_exporter: InMemorySpanExporter | None = None
_provider: TracerProvider | None = None


def global_provider() -> tuple[TracerProvider, InMemorySpanExporter]:
    global _exporter, _provider
    if _provider is None:
        _exporter = InMemorySpanExporter()
        _provider = TracerProvider()
        _provider.add_span_processor(SimpleSpanProcessor(_exporter))
        trace.set_tracer_provider(_provider)
    assert _exporter is not None
    return _provider, _exporter


@pytest.fixture
def instrumented_exporter():
    """The global exporter, emptied, with the instrumentation on for the test and off after it."""
    provider, exporter = global_provider()
    AgentCostInstrumentor().instrument(tracer_provider=provider)
    exporter.clear()
    yield exporter
    AgentCostInstrumentor().uninstrument()
    exporter.clear()
