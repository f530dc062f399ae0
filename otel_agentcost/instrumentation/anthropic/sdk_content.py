"""Content capture on the Anthropic SDK's own call spans, which this package completes rather than replaces.

The SDK builds the span and reads the reply itself, so the content is taken where the reply passes by the span: the
SDK's `record_response(span, result)` for a whole Message, and the observer the SDK hangs on a streamed body for
each event. Both are wrapped only when capture is on; the span is ours to complete when it is a `CompletingSpan`.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from typing import Any

from wrapt import wrap_function_wrapper

from ..content import CallContent
from ..llm_call import CallSettings
from .content import message_output
from .usage import MessageEventObserver

_log = logging.getLogger(__name__)

# (module, function) of the SDK, each wrapped after it runs.
SDK_RESPONSE = ("anthropic._tracing", "record_response")
SDK_STREAM_BODY = ("anthropic.lib._tracing._api_call", "end_api_call_span_when_body_ends")


def _content_of(span: Any) -> CallContent | None:
    content = getattr(span, "_self_content", None)
    return content if isinstance(content, CallContent) else None


def _after_record_response(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """After `record_response(span, result)`: a whole Message's content (a stream's `data` has none to read)."""
    returned = wrapped(*args, **kwargs)
    span, result = (*args, None, None)[:2]
    content = _content_of(span)
    if content is not None and getattr(result, "error", None) is None:
        content.record_output(message_output, getattr(result, "data", None))
    return returned


class _ContentOnly:
    """The part of an `LLMCall` that `MessageEventObserver` feeds, feeding a span's content instead."""

    def __init__(self, content: CallContent) -> None:
        self._content = content

    def add_output_text(self, text: str | None) -> None:
        if text:
            self._content.add_streamed(text)

    def record_response(self, *, finish_reasons: Sequence[str] | None = None, **_: Any) -> None:
        if finish_reasons:
            self._content.finish_reasons = finish_reasons


class _GatheringObserver:
    """The SDK's stream observer, with each event's text gathered into the span's content before it is passed on."""

    def __init__(self, inner: Any, content: CallContent) -> None:
        self._inner = inner
        self._reader = MessageEventObserver(_ContentOnly(content))  # type: ignore[arg-type]

    def begin(self) -> None:
        self._inner.begin()

    def item(self, event: object) -> None:
        try:
            self._reader.observe(event)
        except Exception:
            _log.debug("agentcost: could not read a stream event's content", exc_info=True)
        self._inner.item(event)

    def end(self, how: str, error: BaseException | None = None) -> None:
        self._inner.end(how, error)


def _after_stream_body(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """After `end_api_call_span_when_body_ends(span, response, ...)` hung its observer on a streamed body."""
    returned = wrapped(*args, **kwargs)
    span, response = (*args, None, None)[:2]
    content = _content_of(span)
    body = getattr(response, "stream", None)
    inner = getattr(body, "stream_observer", None)
    if content is not None and inner is not None:
        body.stream_observer = _GatheringObserver(inner, content)  # type: ignore[union-attr]
    return returned


def instrument(settings: CallSettings) -> list[tuple[Any, str]]:
    """With capture on, wraps what the installed SDK has of the two; returns (owner, attribute) pairs to unwrap."""
    if not settings.capture_content:
        return []
    wrapped: list[tuple[Any, str]] = []
    for (module_name, function), wrapper in (
        (SDK_RESPONSE, _after_record_response),
        (SDK_STREAM_BODY, _after_stream_body),
    ):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if hasattr(module, function):
            wrap_function_wrapper(module, function, wrapper)
            wrapped.append((module, function))
    return wrapped
