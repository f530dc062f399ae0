"""The OpenTelemetry instrumentor: patches whichever LLM clients are installed and stamps attribution.

Registered under the `opentelemetry_instrumentor` entry point, so `opentelemetry-instrument` finds it with no
code change. It needs no particular client: openai and anthropic are each patched when importable.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

from opentelemetry import trace
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]
from opentelemetry.instrumentation.utils import unwrap

from ..pricing import PriceTable
from ..processor import AgentCostSpanProcessor, Attribution
from ..version import __version__
from .anthropic import patch as anthropic_patch
from .llm_call import CallSettings
from .openai import patch as openai_patch

_log = logging.getLogger(__name__)

# The scope of the LLM call spans made here. They stamp their own attribution, so the processor skips them.
LLM_TRACER_NAME = "otel_agentcost.instrumentation"


class AgentCostInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """`AgentCostInstrumentor().instrument(tracer_provider=..., prices=...)`; `uninstrument()` undoes it.

    Besides the client patches, it adds an `AgentCostSpanProcessor` to the tracer provider (an SDK provider
    only), so that spans other libraries start inside a session or task scope carry the attribution too.
    """

    _wrapped: list[tuple[Any, str]]
    _processor: AgentCostSpanProcessor | None = None

    def instrumentation_dependencies(self) -> Collection[str]:
        # Each client is optional: a process with only one of them, or none yet, still gets the context layer.
        return ()

    def _instrument(self, **kwargs: Any) -> None:
        provider = kwargs.get("tracer_provider") or trace.get_tracer_provider()
        prices = kwargs.get("prices")
        settings = CallSettings(
            tracer=trace.get_tracer(LLM_TRACER_NAME, __version__, tracer_provider=provider),
            prices=prices if isinstance(prices, PriceTable) else PriceTable.for_agent(prices),
            attribution=Attribution(),
        )
        self._processor = _attach_processor(provider, settings.attribution)
        self._wrapped = [*openai_patch.instrument(settings), *anthropic_patch.instrument(settings)]
        _log.debug("agentcost: instrumented %d client methods", len(self._wrapped))

    def _uninstrument(self, **kwargs: Any) -> None:
        for owner, name in getattr(self, "_wrapped", []):
            unwrap(owner, name)
        self._wrapped = []
        if self._processor is not None:
            # An SDK provider cannot drop a processor; a disabled one does nothing.
            self._processor.enabled = False
            self._processor = None


def _attach_processor(provider: Any, attribution: Attribution) -> AgentCostSpanProcessor | None:
    add = getattr(provider, "add_span_processor", None)
    if add is None:
        _log.info(
            "agentcost: the tracer provider is not the OpenTelemetry SDK's; spans of other libraries will not "
            "carry session and task attributes (set up the SDK first, or use agentcost.init())"
        )
        return None
    processor = AgentCostSpanProcessor(attribution, skip_scopes=frozenset({LLM_TRACER_NAME}))
    add(processor)
    return processor


__all__ = ["AgentCostInstrumentor"]
