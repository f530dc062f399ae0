"""Prompt and completion content on LLM spans: off unless the user turns it on, and credential-masked when on.

Content is where an agent's secrets and its users' data are, so by default a span carries counts and names only.
`OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` (the variable the OpenTelemetry GenAI instrumentations read)
turns it on: `true` (as the openai-v2 instrumentation spells it), `SPAN_ONLY` or `SPAN_AND_EVENT` (as
opentelemetry-util-genai spells it). Content then goes where the current GenAI conventions put it: the span
attributes `gen_ai.input.messages`, `gen_ai.output.messages` and `gen_ai.system_instructions`, JSON text in the
conventions' message shape (`[{"role": ..., "parts": [{"type": "text", "content": ...}], "finish_reason": ...}]`).
The deprecated per-message events (`gen_ai.user.message`, `gen_ai.choice`) are not written, so `EVENT_ONLY`
records nothing. Every string is passed through `redaction.redact` before it is set on the span.

What is recorded: chat messages (OpenAI chat completions and Responses API, Anthropic Messages) with text,
refusals, reasoning text, tool calls with their arguments and tool results; images, audio and files are named by
type only. Embeddings inputs are not messages and are not recorded. A stream's output is the text that passed
through it, as one text part. The Anthropic SDK's own spans (its tracing on) get the same (`anthropic.sdk_content`),
and content the SDK records there itself, in its own content mode, is masked too (`redact_recorded`).

The switch is read once, when the instrumentation starts: a call with capture off pays an `is None` check at its
start and end (and per streamed piece).
Recording content never fails a call: a request or response of an unexpected shape is logged and left out.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.trace import Span

from .fields import field, items, text
from .redaction import redact, redact_text

_log = logging.getLogger(__name__)

CAPTURE_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
INPUT_MESSAGES = gen_ai.GEN_AI_INPUT_MESSAGES
OUTPUT_MESSAGES = gen_ai.GEN_AI_OUTPUT_MESSAGES
SYSTEM_INSTRUCTIONS = gen_ai.GEN_AI_SYSTEM_INSTRUCTIONS

_ON = frozenset({"true", "1", "yes", "on", "span_only", "span_and_event"})
_OFF = frozenset({"", "false", "0", "no", "off", "no_content", "event_only"})

Part = dict[str, Any]
Message = dict[str, Any]
# What a request says: its messages, and the system instructions sent beside them (None when there are none).
Input = tuple[list[Message], list[Part] | None]


def capture_from_env(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the user turned content capture on; an unrecognised value is off, with a warning saying why."""
    value = environ.get(CAPTURE_ENV, "").strip().lower()
    if value in _ON:
        return True
    if value not in _OFF:
        _log.warning(
            "agentcost: %s=%r is not understood, so prompt and completion content is not recorded "
            "(use true or SPAN_ONLY to record it, false to silence this warning)",
            CAPTURE_ENV,
            environ.get(CAPTURE_ENV),
        )
    elif value == "event_only":
        _log.warning(
            "agentcost: %s=EVENT_ONLY records no content here: content goes in span attributes only "
            "(use SPAN_ONLY to record it)",
            CAPTURE_ENV,
        )
    return False


# --- the conventions' message parts ---------------------------------------------------------------------------------


def text_part(content: str) -> Part:
    return {"type": "text", "content": content}


def tool_call_part(call_id: str | None, name: str | None, arguments: Any) -> Part:
    return {"type": "tool_call", "id": call_id, "name": name, "arguments": arguments}


def tool_response_part(call_id: str | None, response: Any) -> Part:
    return {"type": "tool_call_response", "id": call_id, "response": response}


def message(role: str | None, parts: list[Part], finish_reason: str | None = None) -> Message:
    found: Message = {"role": role or "user", "parts": parts}
    if finish_reason is not None:
        found["finish_reason"] = finish_reason
    return found


_TEXT_BLOCKS = frozenset({"text", "input_text", "output_text"})


def parts_of(content: Any) -> list[Part]:
    """Message parts from a message's content: a string, or content blocks as OpenAI and Anthropic send them.

    Text, refusals, reasoning and tool calls keep their text; other blocks (images, audio, files) are named by type
    only, so no media or file data is recorded.
    """
    if isinstance(content, str):
        return [text_part(content)]
    return [part for block in items(content) if (part := _part_of(block)) is not None]


def _part_of(block: Any) -> Part | None:
    if isinstance(block, str):
        return text_part(block)
    kind = text(block, "type")
    if kind in _TEXT_BLOCKS:
        return text_part(text(block, "text") or "")
    if kind == "refusal":
        return text_part(text(block, "refusal") or "")
    if kind in ("thinking", "reasoning_text"):
        return {"type": "reasoning", "content": text(block, "thinking") or text(block, "text") or ""}
    if kind in ("tool_use", "server_tool_use"):
        return tool_call_part(text(block, "id"), text(block, "name"), _plain(field(block, "input")))
    if kind == "tool_result":
        return tool_response_part(text(block, "tool_use_id"), _plain(field(block, "content")))
    return {"type": kind} if kind else None


def _plain(value: Any) -> Any:
    """A JSON-able copy of an SDK model or plain value, for tool arguments and results."""
    dump = getattr(value, "model_dump", None)
    return dump(mode="json") if callable(dump) else value


def redact_recorded(span: Span) -> None:
    """Masks credentials in content that another instrumentation set on a span we complete: the Anthropic SDK
    writes the same attributes in its own content mode (`ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE=content`),
    unmasked. Whoever recorded it, content leaves through this package's spans masked."""
    values = getattr(span, "attributes", None) or {}
    # One pass over the span's keys: on the SDK's attribute mapping a lookup that misses raises inside, and content
    # is usually absent.
    present = _CONTENT_NAMES.intersection(values)
    masked = {}
    for name in (INPUT_MESSAGES, OUTPUT_MESSAGES, SYSTEM_INSTRUCTIONS):
        if name not in present:
            continue
        value = values.get(name)
        if isinstance(value, str) and (redacted := _redacted_json(value)) != value:
            masked[name] = redacted
    if masked:
        span.set_attributes(masked)


_CONTENT_NAMES = frozenset({INPUT_MESSAGES, OUTPUT_MESSAGES, SYSTEM_INSTRUCTIONS})


def _redacted_json(text: str) -> str:
    try:
        return json.dumps(redact(json.loads(text)), ensure_ascii=False, default=str)
    except ValueError:
        return redact_text(text)


# --- one call's content -----------------------------------------------------------------------------------------------


class CallContent:
    """The content of one LLM call, set on its span as it becomes known.

    A response that arrives whole sets the output at once; a stream's text is gathered as it passes and set when the
    span ends, unless a terminal event brought the whole response first.
    """

    def __init__(self, span: Span) -> None:
        self._span = span
        self._streamed: list[str] = []
        self._output_set = False
        self.finish_reasons: Sequence[str] | None = None

    def record_input(self, convert: Callable[[Any], Input], request: Any) -> None:
        try:
            messages, system = convert(request)
            self._set(INPUT_MESSAGES, messages)
            if system:
                self._set(SYSTEM_INSTRUCTIONS, system)
        except Exception:
            _log.warning("agentcost: could not record the request's content", exc_info=True)

    def record_output(self, convert: Callable[[Any], list[Message]], response: Any) -> None:
        try:
            messages = convert(response)
            if messages:
                self._set(OUTPUT_MESSAGES, messages)
                self._output_set = True
        except Exception:
            _log.warning("agentcost: could not record the response's content", exc_info=True)

    def add_streamed(self, piece: str) -> None:
        self._streamed.append(piece)

    def finish(self) -> None:
        """Sets a stream's gathered text as the output, unless a whole response (ours, or the Anthropic SDK's in its
        content mode) was recorded."""
        if self._output_set or not self._streamed or OUTPUT_MESSAGES in (getattr(self._span, "attributes", None) or {}):
            return
        reason = self.finish_reasons[-1] if self.finish_reasons else None
        try:
            self._set(OUTPUT_MESSAGES, [message("assistant", [text_part("".join(self._streamed))], reason)])
        except Exception:
            _log.warning("agentcost: could not record the streamed content", exc_info=True)

    def _set(self, name: str, value: Iterable[Any]) -> None:
        self._span.set_attribute(name, json.dumps(redact(list(value)), ensure_ascii=False, default=str))
