"""What Anthropic Messages responses and stream events say about a call.

Anthropic's `usage.input_tokens` EXCLUDES cached input; the GenAI conventions' input count includes it, so cache
reads and writes are added back here. In a stream, `message_delta` carries the cumulative final output count:
it replaces, never adds to, what came before.
"""

from __future__ import annotations

from typing import Any

from ..fields import count, count_value, field, members, text, text_value
from ..llm_call import LLMCall, Usage
from .content import message_output


def message_usage(usage: Any, *, with_output: bool = True) -> Usage | None:
    if usage is None:
        return None
    values = members(usage)
    uncached = count_value(values.get("input_tokens"))
    cache_read = count_value(values.get("cache_read_input_tokens"))
    cache_write = count_value(values.get("cache_creation_input_tokens"))
    total_input = None if uncached is None else uncached + (cache_read or 0) + (cache_write or 0)
    return Usage(
        input_tokens=total_input,
        output_tokens=count_value(values.get("output_tokens")) if with_output else None,
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
        reasoning_tokens=count_value(members(values.get("output_tokens_details")).get("thinking_tokens")),
    )


def record_message(call: LLMCall, message: Any) -> None:
    values = members(message)
    reason = text_value(values.get("stop_reason"))
    call.record_response(
        response_id=text_value(values.get("id")),
        response_model=text_value(values.get("model")),
        finish_reasons=[reason] if reason else None,
        usage=message_usage(values.get("usage")),
    )
    if call.content is not None:
        call.content.record_output(message_output, message)


class MessageEventObserver:
    """Reads raw Messages stream events (`message_start`, `content_block_delta`, `message_delta`)."""

    def __init__(self, call: LLMCall) -> None:
        self._call = call

    def observe(self, event: Any) -> bool:
        """Runs on every event: the event is read through `members` once."""
        values = members(event)
        kind = text_value(values.get("type"))
        if kind == "content_block_delta":
            delta = members(values.get("delta"))
            said = text_value(delta.get("text")) or text_value(delta.get("partial_json"))
            self._call.add_output_text(said or text_value(delta.get("thinking")))
        elif kind == "message_start":
            message = values.get("message")
            # The start event's output count is a placeholder; the final one comes with message_delta.
            self._call.record_response(
                response_id=text(message, "id"),
                response_model=text(message, "model"),
                usage=message_usage(field(message, "usage"), with_output=False),
            )
        elif kind == "message_delta":
            reason = text(values.get("delta"), "stop_reason")
            usage = values.get("usage")
            final = message_usage(usage) if count(usage, "input_tokens") is not None else None
            if final is None:
                final = Usage(output_tokens=count(usage, "output_tokens"))
            self._call.record_response(finish_reasons=[reason] if reason else None, usage=final)
        return True
