"""`agentcost.init()`: the one call that makes an agent report its LLM calls.

It sets up what a user would otherwise assemble by hand: a tracer provider with the service's resource, a batch
processor with an exporter, the attribution processor and the client instrumentation. The exporter is the OTLP one
(endpoint and protocol from the standard `OTEL_EXPORTER_OTLP_*` variables; by default OTLP/HTTP to
127.0.0.1:4318, where `otel-agentcost serve` listens), or the in-process ClickHouse exporter when a store is named.
Either is wrapped in the spool (otel_agentcost.spool), so a slow or stopped store never slows the agent and loses
no spans; `AGENTCOST_SPOOL=off` turns that off. An exporter passed in is used as given.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

from .instrumentation import AgentCostInstrumentor
from .pricing import PriceTable

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_provider: TracerProvider | None = None


def init(
    service_name: str | None = None,
    *,
    store: str | None = None,
    exporter: SpanExporter | None = None,
    prices: str | os.PathLike[str] | PriceTable | None = None,
    resource_attributes: dict[str, Any] | None = None,
) -> TracerProvider:
    """Sets up tracing and instrumentation once; later calls return the same provider and change nothing.

    `store` (or `AGENTCOST_STORE`) writes spans straight into ClickHouse from this process (a single-process agent
    on the embedded default); otherwise spans go out over OTLP. `exporter` replaces both, e.g. for tests.
    """
    global _provider
    with _lock:
        if _provider is not None:
            return _provider
        existing = trace.get_tracer_provider()
        if isinstance(existing, TracerProvider):
            # The application (or opentelemetry-instrument) already set one up: add to it rather than replace it.
            provider = existing
        else:
            provider = TracerProvider(resource=_resource(service_name, resource_attributes))
            trace.set_tracer_provider(provider)
        provider.add_span_processor(BatchSpanProcessor(exporter) if exporter else _default_processor(store))
        AgentCostInstrumentor().instrument(tracer_provider=provider, prices=prices)
        _provider = provider
        return provider


def shutdown() -> None:
    """Flushes and stops what `init()` started (also registered to run at exit by the SDK)."""
    global _provider
    with _lock:
        if _provider is None:
            return
        AgentCostInstrumentor().uninstrument()
        _provider.shutdown()
        _provider = None


def _resource(service_name: str | None, extra: dict[str, Any] | None) -> Resource:
    values: dict[str, Any] = dict(extra or {})
    if service_name:
        values["service.name"] = service_name
    # Resource.create merges OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME underneath the explicit values.
    return Resource.create(values)


def _default_processor(store: str | None) -> SpanProcessor:
    from .spool import spooling_processor  # the OTLP encoding it loads is needed only once init() runs

    return spooling_processor(_default_exporter(store))


def _default_exporter(store: str | None) -> SpanExporter:
    store = store or os.environ.get("AGENTCOST_STORE")
    if store:
        from .store.exporter import ClickHouseSpanExporter

        return ClickHouseSpanExporter(store)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()
