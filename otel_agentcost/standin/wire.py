"""What both vendors' wire formats share: ids, server-sent-event framing, streamed pieces, and the endpoint shape."""

from __future__ import annotations

import json
import random
import re
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from otel_agentcost.standin.reply import Exchange

_ALPHANUMERIC = string.ascii_letters + string.digits
_PIECE = re.compile(r"\s*\S+|\s+$")


def new_id(prefix: str, length: int, alphabet: str = _ALPHANUMERIC) -> str:
    """An id shaped like the vendor's (prefix and length), unique enough for one test run."""
    return prefix + "".join(random.choices(alphabet, k=length))


def hex_id(prefix: str, length: int) -> str:
    return new_id(prefix, length, string.hexdigits[:16])


def now() -> int:
    return int(time.time())


def pieces(text: str) -> list[str]:
    """Splits text at word boundaries the way streamed deltas arrive (" is", " a"); joined they give it back."""
    return _PIECE.findall(text)


def to_json(value: Any) -> str:
    """Compact JSON, as the vendors send it."""
    return json.dumps(value, separators=(",", ":"))


def sse(data: dict[str, Any] | str, event: str | None = None) -> str:
    """One server-sent event; ``event:`` lines only for the formats that name their events."""
    payload = data if isinstance(data, str) else to_json(data)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n"


def named_events(events: list[dict[str, Any]]) -> list[str]:
    """Frames events whose ``type`` is also their SSE event name (Anthropic messages, OpenAI responses)."""
    return [sse(event, event["type"]) for event in events]


@dataclass(frozen=True)
class Vendor:
    """How one vendor names request ids and wraps errors, whatever the endpoint."""

    name: str
    request_id_header: str
    new_request_id: Callable[[], str]
    error_body: Callable[[int, str | None, str, str], dict[str, Any]]
    headers: dict[str, str]


@dataclass(frozen=True)
class Endpoint:
    """One API route: which request fields make the prompt, and how to render a reply whole or streamed."""

    path: str
    vendor: Vendor
    prompt: Callable[[dict[str, Any]], list[object]]
    complete: Callable[[Exchange], dict[str, Any]]
    stream: Callable[[Exchange], list[str]] | None = None
