"""Observers of OpenAI streams: chat completion chunks and Responses API events."""

from __future__ import annotations

import functools
from typing import Any

from ..fields import field, items_value, members, text, text_value
from ..llm_call import LLMCall
from .usage import chat_usage, record_response


@functools.cache
def _chunk_types() -> tuple[type | None, type | None, type | None]:
    """The SDK's chunk, choice and delta classes. Their instances are read through their own `__dict__`: every name
    read here is a declared field, and `members` would only add the extra (undeclared) ones, at twice the cost on
    every chunk. Another object, or an SDK without these classes, is read through `members`."""
    try:
        from openai.types.chat.chat_completion_chunk import ChatCompletionChunk, Choice, ChoiceDelta
    except ImportError:
        return None, None, None
    return ChatCompletionChunk, Choice, ChoiceDelta


class ChatChunkObserver:
    """Reads chat completion chunks. With `hide_usage_chunk`, the final usage-only chunk (which the
    instrumentation requested through `stream_options.include_usage`) is recorded and not passed on."""

    def __init__(self, call: LLMCall, *, hide_usage_chunk: bool) -> None:
        self._call = call
        self._hide_usage_chunk = hide_usage_chunk
        self._seen_id = False
        self._finish_reasons: list[str] = []
        self._types = _chunk_types()

    def observe(self, chunk: Any) -> bool:
        """Runs on every chunk: each object is read once (see `_chunk_types`), and a value is handed on only when it
        is text (`add_output_text` ignores anything else, so skipping the call is the same)."""
        call = self._call
        chunk_type, choice_type, delta_type = self._types
        values = chunk.__dict__ if type(chunk) is chunk_type else members(chunk)
        if not self._seen_id:
            self._seen_id = True
            call.record_response(
                response_id=text_value(values.get("id")), response_model=text_value(values.get("model"))
            )
        sent_choices = values.get("choices")
        for choice in items_value(sent_choices):
            choice_values = choice.__dict__ if type(choice) is choice_type else members(choice)
            delta = choice_values.get("delta")
            delta = delta.__dict__ if type(delta) is delta_type else members(delta)
            content = delta.get("content")
            if content and isinstance(content, str):
                call.add_output_text(content)
            if delta.get("tool_calls"):
                for tool_call in items_value(delta.get("tool_calls")):
                    call.add_output_text(text(tool_call, "function", "arguments"))
            reason = choice_values.get("finish_reason")
            if reason and isinstance(reason, str):
                self._finish_reasons.append(reason)
                call.record_response(finish_reasons=self._finish_reasons)
        usage = values.get("usage")
        if usage is not None:
            call.record_response(usage=chat_usage(usage))
            # Only the usage-only chunk is ours to hide: `choices` empty, not missing or garbled.
            return not (self._hide_usage_chunk and sent_choices == [])
        return True


class ResponseEventObserver:
    """Reads Responses API stream events; the terminal event carries the whole response with its usage."""

    _TERMINAL = frozenset({"response.completed", "response.incomplete", "response.failed"})

    def __init__(self, call: LLMCall) -> None:
        self._call = call

    def observe(self, event: Any) -> bool:
        kind = text(event, "type")
        if kind == "response.output_text.delta" or kind == "response.function_call_arguments.delta":
            self._call.add_output_text(text(event, "delta"))
        elif kind == "response.created":
            response = field(event, "response")
            self._call.record_response(response_id=text(response, "id"), response_model=text(response, "model"))
        elif kind in self._TERMINAL:
            record_response(self._call, field(event, "response"))
        return True
