"""The span processor that stamps session, task, trigger and lane on every span started in scope.

It is how spans this project does not create (the Anthropic SDK's own, an agent framework's, an HTTP client's)
still carry the attribution the dashboards group by. It runs on the thread that starts the span, so it does
nothing but a dict merge, and it never raises into the code that started the span.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.util.types import AttributeValue

from . import attributes as attr
from .ambient import baggage_attributes, environment_attributes
from .attribution import AttributionSettings, CallAttribution, CallAttributor, CallRequest, Layers
from .context import current_attributes

_log = logging.getLogger(__name__)

# Attributes another library may have set from its own knowledge; a scope never overwrites them.
_KEEP_EXISTING = (attr.GEN_AI_CONVERSATION_ID, attr.GEN_AI_AGENT_NAME)


class Attribution:
    """Resolves the attribution in force: code scopes over baggage over the environment read at start-up, and for
    an LLM call, what its request says (see `otel_agentcost.attribution`); the session by the configured order."""

    def __init__(self, environ: Mapping[str, str] | None = None, settings: AttributionSettings | None = None) -> None:
        self.environment = environment_attributes(environ)
        self.calls = CallAttributor(settings if settings is not None else AttributionSettings.load(environ))
        self._scopes_alone_suffice = "context" in self.calls.settings.session_sources

    def _layers(self, parent_context: Context | None) -> Layers:
        return {"context": current_attributes(), "baggage": baggage_attributes(parent_context), "env": self.environment}

    def attributes(self, parent_context: Context | None = None) -> Mapping[str, AttributeValue]:
        layers = self._layers(parent_context)
        if self._scopes_alone_suffice and not layers["baggage"] and not self.environment:
            return layers["context"]
        return self.calls.scope_attributes(layers)

    def for_call(self, request: CallRequest | None) -> CallAttribution:
        """The attribution of an LLM call sending `request`, in the caller's context."""
        return self.calls.attribute(self._layers(None), request)


class AgentCostSpanProcessor(SpanProcessor):
    """Stamps the attribution on spans of other libraries; this project's own LLM spans stamp themselves."""

    def __init__(self, attribution: Attribution | None = None, *, skip_scopes: frozenset[str] = frozenset()) -> None:
        self.attribution = attribution or Attribution()
        self.enabled = True
        self._skip_scopes = skip_scopes

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        if not self.enabled:
            return
        try:
            scope = span.instrumentation_scope
            if scope is not None and scope.name in self._skip_scopes:
                return
            stamp(span, self.attribution.attributes(parent_context))
        except Exception:
            _log.debug("agentcost: could not stamp attribution on span %s", span.name, exc_info=True)

    def on_end(self, span: ReadableSpan) -> None:
        return None


def stamp(span: Any, values: Mapping[str, AttributeValue]) -> None:
    """Sets the attribution on `span`, keeping the conversation id or agent name its library already set."""
    if values:
        span.set_attributes(_without_existing(values, getattr(span, "attributes", None)))


def _without_existing(
    values: Mapping[str, AttributeValue], existing: Mapping[str, object] | None
) -> Mapping[str, AttributeValue]:
    if not existing or not any(key in existing for key in _KEEP_EXISTING):
        return values
    return {key: value for key, value in values.items() if key not in _KEEP_EXISTING or key not in existing}
