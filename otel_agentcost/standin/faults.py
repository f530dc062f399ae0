"""How a scripted reply goes wrong on the wire: a body cut in half, usage fields of the wrong type, a verbatim body.

Providers and the proxies in front of them do send these (a gateway that drops the end of a body, a compatible
server that reports counts as strings or null), and the instrumentation must read them without changing what the
caller gets. Each fault is applied to the text the vendor renderers produced, so every endpoint gets it the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from otel_agentcost.standin.wire import to_json

_DATA = "data: "


def cut(text: str) -> str:
    """Half of a JSON text: what a client sees when a proxy drops the rest of a body."""
    return text[: len(text) // 2]


def garble_usage(value: Any, fields: Mapping[str, Any]) -> Any:
    """`value` with `fields` written over every `usage` object in it, however deep."""
    if isinstance(value, dict):
        return {
            key: {**item, **fields} if key == "usage" and isinstance(item, dict) else garble_usage(item, fields)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [garble_usage(item, fields) for item in value]
    return value


def garble_event(event: str, fields: Mapping[str, Any]) -> str:
    """One server-sent event with its JSON data's usage garbled; other lines (event names, `[DONE]`) as they were."""
    lines = []
    for line in event.split("\n"):
        if line.startswith(_DATA) and line[len(_DATA) :].startswith("{"):
            line = _DATA + to_json(garble_usage(json.loads(line[len(_DATA) :]), fields))
        lines.append(line)
    return "\n".join(lines)
