"""Anthropic Messages requests and responses as the GenAI conventions' messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..content import Input, Message, message, parts_of
from ..fields import field, items, text


def messages_input(body: Mapping[str, Any]) -> Input:
    """`system`, which the Messages API sends beside the conversation, is the conventions' system instructions."""
    entries = items(body.get("messages"))
    messages = [message(text(entry, "role"), parts_of(field(entry, "content"))) for entry in entries]
    system = body.get("system")
    return messages, parts_of(system) if system else None


def message_output(reply: Any) -> list[Message]:
    parts = parts_of(field(reply, "content"))
    return [message(text(reply, "role") or "assistant", parts, text(reply, "stop_reason"))] if parts else []
