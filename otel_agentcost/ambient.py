"""Context that reaches a process without code changes: environment variables and W3C baggage.

Zero-code users (`opentelemetry-instrument python agent.py`) cannot open scopes, so a launcher sets
`AGENTCOST_SESSION_ID` and friends, or an upstream service puts the ids in baggage. Code scopes win over baggage,
baggage over the environment: the nearer the source, the more specific it is.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from opentelemetry import baggage
from opentelemetry.context import Context
from opentelemetry.util.types import AttributeValue

from . import attributes as attr

# Environment variable -> the attributes it sets.
ENVIRONMENT_VARIABLES: Mapping[str, tuple[str, ...]] = {
    "AGENTCOST_SESSION_ID": (attr.SESSION_ID, attr.GEN_AI_CONVERSATION_ID),
    "AGENTCOST_TASK_ID": (attr.TASK_ID,),
    "AGENTCOST_TASK_KIND": (attr.TASK_KIND,),
    "AGENTCOST_TRIGGER": (attr.TRIGGER,),
    "AGENTCOST_AGENT": (attr.GEN_AI_AGENT_NAME,),
    "AGENTCOST_ROLE": (attr.AGENT_ROLE,),
    "AGENTCOST_LANE": (attr.LANE,),
}

# Baggage keys are the attribute names themselves; `session.id` is what other tools propagate.
# Later keys win, so `agentcost.session.id` is listed after the generic `session.id`.
BAGGAGE_KEYS: Mapping[str, tuple[str, ...]] = {
    "session.id": (attr.SESSION_ID, attr.GEN_AI_CONVERSATION_ID),
    attr.SESSION_ID: (attr.SESSION_ID, attr.GEN_AI_CONVERSATION_ID),
    attr.TASK_ID: (attr.TASK_ID,),
    attr.TASK_KIND: (attr.TASK_KIND,),
    attr.TRIGGER: (attr.TRIGGER,),
    attr.GEN_AI_AGENT_NAME: (attr.GEN_AI_AGENT_NAME,),
    attr.AGENT_ROLE: (attr.AGENT_ROLE,),
    attr.LANE: (attr.LANE,),
}


def environment_attributes(environ: Mapping[str, str] | None = None) -> dict[str, AttributeValue]:
    """The attributes the `AGENTCOST_*` variables set. Read once, when the instrumentation starts."""
    environ = os.environ if environ is None else environ
    found: dict[str, AttributeValue] = {}
    for variable, names in ENVIRONMENT_VARIABLES.items():
        value = environ.get(variable, "").strip()
        if value:
            found.update(dict.fromkeys(names, value))
    return found


def baggage_attributes(context: Context | None) -> dict[str, AttributeValue]:
    """The attributes that W3C baggage in `context` carries under the keys above."""
    entries = baggage.get_all(context)
    if not entries:
        return {}
    found: dict[str, AttributeValue] = {}
    for key, names in BAGGAGE_KEYS.items():
        value = entries.get(key)
        if isinstance(value, str) and value:
            found.update(dict.fromkeys(names, value))
    return found
