"""Zero-code attribution of one LLM call: its session, trigger and task, and how much of its input is inherited
from earlier tasks of the session or came from another session.

Everything explicit wins: the code's scopes, baggage and `AGENTCOST_*` variables (the context layer). What is not
explicit is recognised from the request the agent sends anyway. The sessions' state (see `tracking.py`) lives under
one lock, held only for the per-session work.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import NamedTuple

from opentelemetry.util.types import AttributeValue

from .. import attributes as attr
from .proportion import ContextShare
from .requests import CallRequest
from .sessions import Session, resolve
from .settings import AttributionSettings
from .tracking import SessionTracker
from .triggers import HEARTBEAT, TriggerDetector

# The context layer's own sources of attributes, by the names AGENTCOST_SESSION_SOURCES uses for them.
Layers = Mapping[str, Mapping[str, AttributeValue]]
LAYERS = ("env", "baggage", "context")  # lowest priority first

_SESSION_KEYS = (attr.SESSION_ID, attr.GEN_AI_CONVERSATION_ID)


class CallAttribution(NamedTuple):
    """The attributes a call's span starts with, and its context share for the token split at its end."""

    attributes: Mapping[str, AttributeValue]
    context: ContextShare | None = None


class CallAttributor:
    """Attribution for the calls of one instrumented process (one per `instrument()`)."""

    def __init__(self, settings: AttributionSettings | None = None) -> None:
        self.settings = settings if settings is not None else AttributionSettings.load()
        self.triggers = TriggerDetector(self.settings)
        self.tracker = SessionTracker(self.settings, self.triggers)
        self._lock = threading.Lock()

    def scope_attributes(self, layers: Layers) -> dict[str, AttributeValue]:
        """The attribution of a span that has no request: the layers merged, the session by the configured order."""
        return self._base(layers, None)[0]

    def attribute(self, layers: Layers, request: CallRequest | None) -> CallAttribution:
        values, session = self._base(layers, request)
        if request is None:
            return CallAttribution(values)
        trigger = values.get(attr.TRIGGER)
        if trigger is None and request.messages:
            trigger = self.triggers.detect(request)
            if trigger is not None:
                values[attr.TRIGGER] = trigger
        if session is None or not request.messages:
            return CallAttribution(values)
        explicit_task = values.get(attr.TASK_ID)
        derive = self.settings.detect_tasks and explicit_task is None and session.source != "context"
        with self._lock:
            found, share = self.tracker.track(
                session.session_id, explicit_task, derive=derive, heartbeat=trigger == HEARTBEAT, request=request
            )
        values.update(found)
        return CallAttribution(values, share)

    def _base(self, layers: Layers, request: CallRequest | None) -> tuple[dict[str, AttributeValue], Session | None]:
        values: dict[str, AttributeValue] = {}
        for name in LAYERS:
            found = layers.get(name)
            if found:
                values.update(found)
        session = resolve(self.settings, layers, request)
        if values:  # outside any scope, with no baggage or variables (zero-code), there is nothing to pop
            for key in _SESSION_KEYS:
                values.pop(key, None)
        if session is not None:
            values[attr.SESSION_ID] = values[attr.GEN_AI_CONVERSATION_ID] = session.session_id
        return values, session
