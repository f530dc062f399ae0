"""Zero-code attribution: sessions, triggers and tasks recognised from the requests an agent sends, and the share
of each call's input inherited from earlier tasks or bled in from other sessions.

The instrumentation calls `CallAttributor.attribute(layers, request)` once per LLM call; everything here is
configured by `AGENTCOST_*` variables read once (see `settings.py`).
"""

from __future__ import annotations

from .attributor import CallAttribution, CallAttributor, Layers
from .proportion import ContextShare
from .requests import CallRequest
from .settings import AttributionSettings, SettingsError

__all__ = [
    "AttributionSettings",
    "CallAttribution",
    "CallAttributor",
    "CallRequest",
    "ContextShare",
    "Layers",
    "SettingsError",
]
