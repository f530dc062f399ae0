"""Wrappers for the anthropic SDK.

anthropic 2.x traces its own API calls. When a client's tracing is on, this module adds nothing but the completion
of the SDK's span (see `sdk_spans`); when it is off (`ANTHROPIC_OPEN_TELEMETRY=false`, `open_telemetry=False`,
or an SDK version without tracing), `messages.create` and `messages.stream` get a span from here. Either way,
one span per call.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import wrapt
from opentelemetry import trace
from wrapt import wrap_function_wrapper

from ...attribution import requests
from ..fields import body_of
from ..guard import quietly
from ..llm_call import CallSettings, LLMCall
from ..providers import base_url_of, endpoint
from ..streams import AsyncStreamProxy, SyncStreamProxy
from ..wrapping import Settle, finish_with, run_async, run_sync
from . import sdk_content, sdk_spans
from .content import messages_input
from .usage import MessageEventObserver, record_message

MESSAGES_MODULE = "anthropic.resources.messages.messages"


def _sdk_traces(instance: Any) -> bool:
    """Whether the client behind this resource emits its own span for the call: its tracing is on and has a
    tracer provider to go to (its own, or a global one that is set; the default global provider drops spans)."""
    client = getattr(instance, "_client", None)
    if getattr(client, "_tracer", None) is None:
        return False
    options = getattr(client, "_open_telemetry", None) or {}
    if options.get("tracer_provider") is not None:
        return True
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


def _start(settings: CallSettings, instance: Any, kwargs: Mapping[str, Any], *, stream: bool) -> LLMCall:
    client = getattr(instance, "_client", None)
    host, port = endpoint(base_url_of(client))
    model = kwargs.get("model")
    call = LLMCall(
        settings,
        operation="chat",
        provider=getattr(client, "_gen_ai_provider_name", None) or "anthropic",
        model=model if isinstance(model, str) else None,
        server_address=host,
        server_port=port,
        stream=stream,
        request_payload=[kwargs.get("system"), kwargs.get("messages")],
        request=requests.anthropic_call(client, kwargs),
    )
    if call.content is not None:
        call.content.record_input(messages_input, kwargs)
    return call


def _settler(is_async: bool) -> Settle:
    finish = finish_with(lambda call, result: record_message(call, body_of(result)))
    proxy = AsyncStreamProxy if is_async else SyncStreamProxy

    def settle(call: LLMCall, result: Any) -> Any:
        import anthropic

        if isinstance(result, (anthropic.Stream, anthropic.AsyncStream)):
            return proxy(result, call, MessageEventObserver(call))
        return finish(call, result)

    return settle


def _create_wrapper(settings: CallSettings, is_async: bool) -> Any:
    settle = _settler(is_async)

    def start(instance: Any, kwargs: Mapping[str, Any]) -> LLMCall | None:
        if _sdk_traces(instance):
            return None
        return _start(settings, instance, kwargs, stream=kwargs.get("stream") is True)

    if is_async:

        async def async_wrapper(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            call = quietly("starting a span for messages.create", start, instance, kwargs, fallback=None)
            if call is None:
                return await wrapped(*args, **kwargs)
            return await run_async(wrapped, args, kwargs, call, settle)

        return async_wrapper

    def wrapper(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        call = quietly("starting a span for messages.create", start, instance, kwargs, fallback=None)
        if call is None:
            return wrapped(*args, **kwargs)
        return run_sync(wrapped, args, kwargs, call, settle)

    return wrapper


class _StreamManagerProxy(wrapt.ObjectProxy):  # type: ignore[misc]
    """`messages.stream(...)` returns a manager whose `__enter__` sends the request; the span covers from there
    to the end of the stream. The raw event stream inside the helper is observed, so `get_final_message()`,
    `text_stream` and plain iteration all count."""

    def __init__(self, manager: Any, settings: CallSettings, instance: Any, kwargs: Mapping[str, Any]) -> None:
        super().__init__(manager)
        self._self_start = lambda: _start(settings, instance, kwargs, stream=True)
        self._self_call: LLMCall | None = None

    def _self_observe(self, message_stream: Any, proxy_class: type) -> Any:
        call = self._self_call
        if call is not None:
            raw = message_stream._raw_stream
            message_stream._raw_stream = proxy_class(raw, call, MessageEventObserver(call))
        return message_stream

    def _self_begin(self) -> None:
        self._self_call = quietly("starting a span for messages.stream", self._self_start, fallback=None)
        if self._self_call is not None:
            self._self_call.activate()

    def _self_failed(self, error: BaseException) -> None:
        if self._self_call is not None:
            self._self_call.deactivate()
            self._self_call.finish(error)

    def _self_started(self, message_stream: Any, proxy_class: type) -> Any:
        if self._self_call is None:
            return message_stream
        self._self_call.deactivate()
        return quietly(
            "observing a message stream", self._self_observe, message_stream, proxy_class, fallback=message_stream
        )

    def _self_end(self) -> None:
        if self._self_call is not None:
            self._self_call.finish(abandoned=True)

    def __enter__(self) -> Any:
        self._self_begin()
        try:
            message_stream = self.__wrapped__.__enter__()
        except BaseException as error:
            self._self_failed(error)
            raise
        return self._self_started(message_stream, SyncStreamProxy)

    def __exit__(self, *exc_info: Any) -> Any:
        try:
            return self.__wrapped__.__exit__(*exc_info)
        finally:
            self._self_end()

    async def __aenter__(self) -> Any:
        self._self_begin()
        try:
            message_stream = await self.__wrapped__.__aenter__()
        except BaseException as error:
            self._self_failed(error)
            raise
        return self._self_started(message_stream, AsyncStreamProxy)

    async def __aexit__(self, *exc_info: Any) -> Any:
        try:
            return await self.__wrapped__.__aexit__(*exc_info)
        finally:
            self._self_end()


def _stream_wrapper(settings: CallSettings) -> Any:
    def wrapper(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        manager = wrapped(*args, **kwargs)
        if _sdk_traces(instance):
            return manager
        return quietly(
            "wrapping messages.stream", _StreamManagerProxy, manager, settings, instance, kwargs, fallback=manager
        )

    return wrapper


def instrument(settings: CallSettings) -> list[tuple[Any, str]]:
    """Wraps what the installed anthropic version has; returns (owner, attribute) pairs for unwrapping."""
    try:
        messages = importlib.import_module(MESSAGES_MODULE)
    except ImportError:
        return []
    wrapped: list[tuple[Any, str]] = []
    for owner_name, is_async in (("Messages", False), ("AsyncMessages", True)):
        owner = getattr(messages, owner_name, None)
        if owner is None:
            continue
        wrap_function_wrapper(messages, f"{owner_name}.create", _create_wrapper(settings, is_async))
        wrapped.append((owner, "create"))
        if hasattr(owner, "stream"):
            wrap_function_wrapper(messages, f"{owner_name}.stream", _stream_wrapper(settings))
            wrapped.append((owner, "stream"))
    try:
        base_client = importlib.import_module(sdk_spans.SDK_MODULE)
    except ImportError:
        return wrapped
    if hasattr(base_client, sdk_spans.SDK_FUNCTION):
        wrap_function_wrapper(base_client, sdk_spans.SDK_FUNCTION, sdk_spans.start_span_wrapper(settings))
        wrapped.append((base_client, sdk_spans.SDK_FUNCTION))
        wrapped += sdk_content.instrument(settings)
    return wrapped
