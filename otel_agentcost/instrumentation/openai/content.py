"""OpenAI requests and responses (chat completions, Responses API) as the GenAI conventions' messages."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..content import Input, Message, Part, message, parts_of, text_part, tool_call_part, tool_response_part
from ..fields import field, items, text


def _arguments(encoded: str | None) -> Any:
    """Tool-call arguments as the object they encode, as Anthropic sends them; as sent when they are not JSON."""
    try:
        return json.loads(encoded) if encoded else encoded
    except ValueError:
        return encoded


def _tool_calls(tool_calls: Any) -> list[Part]:
    return [
        tool_call_part(
            text(call, "id"), text(call, "function", "name"), _arguments(text(call, "function", "arguments"))
        )
        for call in items(tool_calls)
    ]


def _chat_message(entry: Any) -> Message:
    role = text(entry, "role")
    if role == "tool":
        return message(role, [tool_response_part(text(entry, "tool_call_id"), field(entry, "content"))])
    return message(role, parts_of(field(entry, "content")) + _tool_calls(field(entry, "tool_calls")))


def chat_input(kwargs: Mapping[str, Any]) -> Input:
    """System and developer messages stay in the conversation, where the chat API puts them."""
    return [_chat_message(entry) for entry in items(kwargs.get("messages"))], None


def chat_output(completion: Any) -> list[Message]:
    return [
        message(
            text(choice, "message", "role") or "assistant",
            parts_of(field(choice, "message", "content"))
            + ([text_part(refusal)] if (refusal := text(choice, "message", "refusal")) else [])
            + _tool_calls(field(choice, "message", "tool_calls")),
            text(choice, "finish_reason"),
        )
        for choice in items(field(completion, "choices"))
    ]


def _response_item(item: Any) -> tuple[str | None, list[Part]]:
    """The role and parts of one Responses API input or output item."""
    kind = text(item, "type")
    if kind == "function_call":
        call = tool_call_part(text(item, "call_id"), text(item, "name"), _arguments(text(item, "arguments")))
        return "assistant", [call]
    if kind == "function_call_output":
        return "tool", [tool_response_part(text(item, "call_id"), field(item, "output"))]
    if kind == "reasoning":
        summary = "".join(text(part, "text") or "" for part in items(field(item, "summary")))
        return "assistant", [{"type": "reasoning", "content": summary}]
    if kind in (None, "message"):
        return text(item, "role"), parts_of(field(item, "content"))
    return "assistant", [{"type": kind}]


def responses_input(kwargs: Mapping[str, Any]) -> Input:
    given = kwargs.get("input")
    if isinstance(given, str):
        messages = [message("user", [text_part(given)])]
    else:
        messages = [message(*_response_item(item)) for item in items(given)]
    instructions = kwargs.get("instructions")
    return messages, [text_part(instructions)] if isinstance(instructions, str) else None


def responses_output(response: Any) -> list[Message]:
    """The output items of a Response as one assistant message; its status stands in for the finish reason."""
    parts = [part for item in items(field(response, "output")) for part in _response_item(item)[1]]
    if not parts:
        return []
    reason = text(response, "incomplete_details", "reason") or text(response, "status")
    return [message("assistant", parts, reason)]
