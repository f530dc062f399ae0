"""Completing the Anthropic SDK's own call spans instead of emitting a second span for the same call.

anthropic 2.x starts one CLIENT span per API call through `anthropic._base_client.start_api_call_span` and sets the
usage on it just before it ends. Wrapping that function hands the SDK a proxy of its span whose `end()` first adds
what the SDK does not: the cost, the cache-write count under the conventions' name, and the attribution.
"""

from __future__ import annotations

from typing import Any

import wrapt

from ... import attributes as attr
from ...attribution import CallRequest, ContextShare, requests
from ...processor import stamp
from ..content import CallContent, redact_recorded
from ..fields import count_value
from ..guard import quietly
from ..llm_call import CallSettings, Usage, call_attribution, cost_attributes
from .content import messages_input

SDK_MODULE = "anthropic._base_client"
SDK_FUNCTION = "start_api_call_span"


class CompletingSpan(wrapt.ObjectProxy):  # type: ignore[misc]
    """The SDK's span, completed with cost and token attributes when the SDK ends it."""

    def __init__(self, span: Any, settings: CallSettings, context: ContextShare | None) -> None:
        super().__init__(span)
        self._self_settings = settings
        self._self_context = context
        self._self_content = CallContent(span) if settings.capture_content else None

    def end(self, end_time: int | None = None) -> None:
        quietly(
            "completing an Anthropic SDK span",
            complete_sdk_span,
            self.__wrapped__,
            self._self_settings,
            self._self_context,
            fallback=None,
        )
        if self._self_content is not None:
            self._self_content.finish()  # a stream's gathered text, when nothing else recorded the output
        quietly("masking credentials in an Anthropic SDK span", redact_recorded, self.__wrapped__, fallback=None)
        self.__wrapped__.end(end_time)


def complete_sdk_span(span: Any, settings: CallSettings, context: ContextShare | None = None) -> None:
    if not span.is_recording():
        return
    values = getattr(span, "attributes", None) or {}
    if values.get(attr.GEN_AI_OPERATION_NAME) != "chat":
        return
    # The SDK copies any int the body had, negative ones included; only real counts are priced.
    cache_write = count_value(values.get(attr.GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS))
    usage = Usage(
        input_tokens=count_value(values.get(attr.GEN_AI_USAGE_INPUT_TOKENS)),
        output_tokens=count_value(values.get(attr.GEN_AI_USAGE_OUTPUT_TOKENS)),
        cache_read_tokens=count_value(values.get(attr.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS)),
        cache_write_tokens=cache_write,
    )
    extra: dict[str, Any] = {}
    if cache_write is not None:
        extra[attr.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = cache_write
    if usage.input_tokens is not None and usage.output_tokens is None:
        # A stream that ended before its message_delta: the SDK knows the input only.
        usage.output_tokens = 0
        extra[attr.GEN_AI_USAGE_OUTPUT_TOKENS] = 0
        extra[attr.USAGE_ESTIMATED] = True
    model = values.get(attr.GEN_AI_RESPONSE_MODEL) or values.get(attr.GEN_AI_REQUEST_MODEL)
    extra.update(cost_attributes(settings.prices, model if isinstance(model, str) else None, usage))
    if context is not None:
        extra.update(context.token_attributes(usage.input_tokens))
    span.set_attributes(extra)


def start_span_wrapper(settings: CallSettings) -> Any:
    def wrapper(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        span = wrapped(*args, **kwargs)
        if span is None:
            return None
        return quietly("wrapping an Anthropic SDK span", _complete_later, span, settings, args, kwargs, fallback=span)

    return wrapper


def _request_of(span: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> CallRequest | None:
    """The Messages request behind a chat span, from `start_api_call_span(tracer, base_url, options, ...)`."""
    values = getattr(span, "attributes", None) or {}
    if values.get(attr.GEN_AI_OPERATION_NAME) != "chat":
        return None
    options = args[2] if len(args) > 2 else kwargs.get("options")
    conversation_id = values.get(attr.GEN_AI_CONVERSATION_ID)
    return requests.anthropic_sdk_call(options, kwargs.get("default_headers"), conversation_id)


def _complete_later(span: Any, settings: CallSettings, args: tuple[Any, ...], kwargs: dict[str, Any]) -> CompletingSpan:
    # Started in the caller's context, so the attribution in force is the call's own.
    attribution = call_attribution(settings, _request_of(span, args, kwargs))
    stamp(span, attribution.attributes)
    completing = CompletingSpan(span, settings, attribution.context)
    if completing._self_content is not None:
        options = args[2] if len(args) > 2 else kwargs.get("options")
        completing._self_content.record_input(messages_input, getattr(options, "json_data", None))
    return completing
