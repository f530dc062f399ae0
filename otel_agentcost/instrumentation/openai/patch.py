"""Wrappers for the openai SDK: chat completions (create, parse; sync, async, streaming), the Responses API and
embeddings. The openai SDK has no tracing of its own, so every call gets a span from here.

`chat.completions.stream()` and `responses.stream()` go through `create`, so they are covered by it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wrapt import wrap_function_wrapper

from ...attribution import requests
from ..fields import body_of
from ..guard import quietly
from ..llm_call import CallSettings, LLMCall
from ..providers import base_url_of, endpoint, provider_for
from ..streams import AsyncStreamProxy, StreamObserver, SyncStreamProxy
from ..wrapping import Settle, finish_with, run_async, run_sync
from .content import chat_input, responses_input
from .streaming import ChatChunkObserver, ResponseEventObserver
from .usage import record_chat_completion, record_embeddings, record_response


@dataclass(frozen=True)
class Target:
    module: str
    method: str  # "Class.method"
    kind: str  # "chat", "responses" or "embeddings"
    is_async: bool


def _targets(module: str, sync_class: str, async_class: str, methods: tuple[str, ...], kind: str) -> list[Target]:
    return [
        Target(module, f"{cls}.{method}", kind, is_async)
        for method in methods
        for cls, is_async in ((sync_class, False), (async_class, True))
    ]


TARGETS: tuple[Target, ...] = (
    *_targets(
        "openai.resources.chat.completions.completions",
        "Completions",
        "AsyncCompletions",
        ("create", "parse"),
        "chat",
    ),
    *_targets("openai.resources.responses.responses", "Responses", "AsyncResponses", ("create", "parse"), "responses"),
    *_targets("openai.resources.embeddings", "Embeddings", "AsyncEmbeddings", ("create",), "embeddings"),
)


def _stream_usage_requested() -> bool:
    """Whether to ask chat streams for their usage; a provider that rejects `stream_options` can turn it off.
    Read once per `instrument()`, not per call."""
    return os.environ.get("AGENTCOST_OPENAI_STREAM_USAGE", "true").strip().lower() not in ("false", "0", "no")


def _with_usage_requested(kwargs: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
    """`kwargs` asking the stream for its usage, and whether the caller had not asked for it.

    Unless the caller passed `stream_options` of their own, the request goes in `extra_body`, which the SDK sends as
    it is: a `stream_options` argument is first transformed against the SDK's parameter types, which alone costs
    about 24 µs a call (the SDK timed with each, alternately). The body sent is the same either way.
    """
    options, extra = kwargs.get("stream_options"), kwargs.get("extra_body")
    extra_options = extra.get("stream_options") if isinstance(extra, Mapping) else None
    if any(isinstance(asked, Mapping) and asked.get("include_usage") is True for asked in (options, extra_options)):
        return kwargs, False
    if extra is not None and not isinstance(extra, Mapping):
        return kwargs, False  # the SDK refuses such an `extra_body`: the caller's error stays theirs
    if isinstance(options, Mapping):
        return {**kwargs, "stream_options": {**options, "include_usage": True}}, True
    extra_options = extra_options if isinstance(extra_options, Mapping) else {}
    return {**kwargs, "extra_body": {**(extra or {}), "stream_options": {**extra_options, "include_usage": True}}}, True


# How each kind of call's arguments read as a request, for attribution.
_REQUESTS = {
    "chat": requests.openai_chat,
    "responses": requests.openai_responses,
    "embeddings": requests.openai_embeddings,
}


# How each kind of call's arguments read as content, when capture is on (embeddings inputs are not messages).
_CONTENT_INPUT = {"chat": chat_input, "responses": responses_input}


def _start(settings: CallSettings, target: Target, instance: Any, kwargs: Mapping[str, Any]) -> LLMCall:
    client = getattr(instance, "_client", None)  # an SDK resource and its client: plain attribute reads
    host, port = endpoint(base_url_of(client))
    return LLMCall(
        settings,
        operation="embeddings" if target.kind == "embeddings" else "chat",
        provider=provider_for(host, port, default="openai"),
        model=kwargs.get("model") if isinstance(kwargs.get("model"), str) else None,
        server_address=host,
        server_port=port,
        stream=kwargs.get("stream") is True,
        request_payload=kwargs.get("messages", kwargs.get("input")),
        request=_REQUESTS[target.kind](client, kwargs),
    )


def _settler(target: Target, hide_usage_chunk: bool) -> Settle:
    records = {"chat": record_chat_completion, "responses": record_response, "embeddings": record_embeddings}
    record = records[target.kind]
    finish = finish_with(lambda call, result: record(call, body_of(result)))
    proxy = AsyncStreamProxy if target.is_async else SyncStreamProxy

    def settle(call: LLMCall, result: Any) -> Any:
        if not _is_stream(result):
            return finish(call, result)
        observer: StreamObserver = (
            ChatChunkObserver(call, hide_usage_chunk=hide_usage_chunk)
            if target.kind == "chat"
            else ResponseEventObserver(call)
        )
        return proxy(result, call, observer)

    return settle


@functools.cache
def _stream_types() -> tuple[type, ...]:
    import openai

    return (openai.Stream, openai.AsyncStream)


def _is_stream(result: Any) -> bool:
    return isinstance(result, _stream_types())


def _prepare(
    settings: CallSettings, target: Target, instance: Any, kwargs: Mapping[str, Any], ask_usage: bool
) -> tuple[LLMCall, Mapping[str, Any], bool]:
    """The call's span, the arguments to send, and whether the usage chunk is ours to hide."""
    hide = False
    if ask_usage and target.kind == "chat" and kwargs.get("stream") is True:
        kwargs, hide = _with_usage_requested(kwargs)
    call = _start(settings, target, instance, kwargs)
    if call.content is not None and target.kind in _CONTENT_INPUT:
        call.content.record_input(_CONTENT_INPUT[target.kind], kwargs)
    return call, kwargs, hide


def _wrapper(settings: CallSettings, target: Target) -> Any:
    # Built once per wrapped method, not per call: indexed by whether the usage chunk is hidden.
    settlers = {hide: _settler(target, hide) for hide in (False, True)}
    what = f"starting a span for {target.method}"
    ask_usage = _stream_usage_requested()

    if target.is_async:

        async def async_wrapper(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            prepared = quietly(what, _prepare, settings, target, instance, kwargs, ask_usage, fallback=None)
            if prepared is None:
                return await wrapped(*args, **kwargs)
            call, call_kwargs, hide = prepared
            return await run_async(wrapped, args, call_kwargs, call, settlers[hide])

        return async_wrapper

    def wrapper(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        prepared = quietly(what, _prepare, settings, target, instance, kwargs, ask_usage, fallback=None)
        if prepared is None:
            return wrapped(*args, **kwargs)
        call, call_kwargs, hide = prepared
        return run_sync(wrapped, args, call_kwargs, call, settlers[hide])

    return wrapper


def instrument(settings: CallSettings) -> list[tuple[Any, str]]:
    """Wraps every target the installed openai version has; returns (owner, attribute) pairs for unwrapping."""
    import importlib

    wrapped: list[tuple[Any, str]] = []
    for target in TARGETS:
        try:
            module = importlib.import_module(target.module)
            owner_name, method = target.method.split(".")
            owner = getattr(module, owner_name)
            if not hasattr(owner, method):
                continue
        except (ImportError, AttributeError):
            continue
        wrap_function_wrapper(module, target.method, _wrapper(settings, target))
        wrapped.append((owner, method))
    return wrapped
