"""The real openai and anthropic SDKs over an in-process HTTP transport, for the call benches.

An httpx2 `MockTransport` answers every request at once with a canned reply shaped like the recorded API exchanges
in the conformance cassettes (ids, usage blocks, stream framing), encoded once. The SDKs still build, send, parse and
validate everything as over the network; only the socket is gone, so the network never dominates a timing.
A chat stream carries its usage chunk only when the request asks for it (`stream_options.include_usage`), as the
OpenAI API does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NamedTuple

import anthropic
import httpx2
import openai

OPENAI_MODEL = "gpt-4o-mini"
ANTHROPIC_MODEL = "claude-sonnet-4-20250514"

# The recorded exchange's prompt behind an agent's standing system prompt. Kept short on purpose: the SDKs' own
# request building grows with the number of messages, and its jitter would drown the instrumentation's cost.
SYSTEM = "You are an autonomous operations agent. Keep replies short and name the next action."
PROMPT = {"role": "user", "content": "Say this is a test"}
OPENAI_MESSAGES = [{"role": "system", "content": SYSTEM}, PROMPT]
ANTHROPIC_MESSAGES = [PROMPT]

_OPENAI_USAGE = {
    "prompt_tokens": 812,
    "completion_tokens": 5,
    "total_tokens": 817,
    "prompt_tokens_details": {"cached_tokens": 768, "audio_tokens": 0},
    "completion_tokens_details": {
        "reasoning_tokens": 0,
        "audio_tokens": 0,
        "accepted_prediction_tokens": 0,
        "rejected_prediction_tokens": 0,
    },
}
_CHAT_HEAD = {"id": "chatcmpl-ASYMQRl3A3DXL9FWCK9tnGRcKIO7q", "created": 1731368630, "model": "gpt-4o-mini-2024-07-18"}
OPENAI_COMPLETION = {
    **_CHAT_HEAD,
    "object": "chat.completion",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "This is a test.", "refusal": None},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": _OPENAI_USAGE,
    "system_fingerprint": "fp_0ba0d124f1",
}
ANTHROPIC_MESSAGE = {
    "model": ANTHROPIC_MODEL,
    "id": "msg_0176GK1qFwwpVM59jDYiKPjN",
    "type": "message",
    "role": "assistant",
    "content": [{"type": "text", "text": "Hello!"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 44,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 768,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        "output_tokens": 5,
        "service_tier": "standard",
    },
}


def _chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
    return {**_CHAT_HEAD, "object": "chat.completion.chunk", "system_fingerprint": None, "choices": [choice]}


def _sse(events: list[dict[str, Any]]) -> bytes:
    return "".join(f"data: {json.dumps(event, separators=(',', ':'))}\n\n" for event in events).encode()


_STREAM_CHUNKS = [
    _chunk({"role": "assistant", "content": "", "refusal": None}),
    *(_chunk({"content": piece}) for piece in ('"This', " is", " a", " test", '."')),
    _chunk({}, "stop"),
]
_USAGE_CHUNK = {**_CHAT_HEAD, "object": "chat.completion.chunk", "choices": [], "usage": _OPENAI_USAGE}
_DONE = b"data: [DONE]\n\n"

_JSON = {"content-type": "application/json", "x-request-id": "req_bench"}
_EVENTS = {"content-type": "text/event-stream", "x-request-id": "req_bench"}
_BODIES = {
    "chat": json.dumps(OPENAI_COMPLETION).encode(),
    "chat-stream": _sse(_STREAM_CHUNKS) + _DONE,
    "chat-stream-usage": _sse([*_STREAM_CHUNKS, _USAGE_CHUNK]) + _DONE,
    "messages": json.dumps(ANTHROPIC_MESSAGE).encode(),
}


def _reply(request: httpx2.Request) -> httpx2.Response:
    if request.url.path.endswith("/messages"):
        return httpx2.Response(200, headers=_JSON, content=_BODIES["messages"])
    body = json.loads(request.content)
    if not body.get("stream"):
        return httpx2.Response(200, headers=_JSON, content=_BODIES["chat"])
    usage = (body.get("stream_options") or {}).get("include_usage") is True
    return httpx2.Response(200, headers=_EVENTS, content=_BODIES["chat-stream-usage" if usage else "chat-stream"])


def http_client() -> httpx2.Client:
    return httpx2.Client(transport=httpx2.MockTransport(_reply))


def openai_client() -> openai.OpenAI:
    return openai.OpenAI(api_key="sk-bench", base_url="https://api.openai.com/v1", http_client=http_client())


def anthropic_client(*, sdk_tracing: bool = False) -> anthropic.Anthropic:
    """With `sdk_tracing` the client traces itself when a tracer provider is registered (its default)."""
    options: dict[str, Any] = {} if sdk_tracing else {"open_telemetry": False}
    return anthropic.Anthropic(api_key="sk-ant-bench", http_client=http_client(), **options)


def openai_chat(client: openai.OpenAI) -> None:
    client.chat.completions.create(model=OPENAI_MODEL, messages=OPENAI_MESSAGES)  # type: ignore[arg-type]


def openai_chat_stream(client: openai.OpenAI) -> None:
    for _ in client.chat.completions.create(model=OPENAI_MODEL, messages=OPENAI_MESSAGES, stream=True):  # type: ignore[arg-type]
        pass


def openai_chat_stream_with_usage(client: openai.OpenAI) -> None:
    """As agent frameworks that count tokens stream (LangChain's `stream_usage`, LiteLLM, the Agents SDK): every
    variant then gets the same usage chunk from the SDK, and only what the instrumentation itself does differs."""
    options = {"include_usage": True}
    for _ in client.chat.completions.create(
        model=OPENAI_MODEL, messages=OPENAI_MESSAGES, stream=True, stream_options=options
    ):  # type: ignore[arg-type]
        pass


def anthropic_messages(client: anthropic.Anthropic) -> None:
    client.messages.create(model=ANTHROPIC_MODEL, max_tokens=256, system=SYSTEM, messages=ANTHROPIC_MESSAGES)  # type: ignore[arg-type]


class Workload(NamedTuple):
    """One kind of call: what a span around it is named, its clients with instrumentation on and off, and the call.

    The clients differ only where the SDK traces itself: with instrumentation off, the Anthropic client's own tracing
    is off too, so that "off" is always the SDK with no telemetry at all.
    """

    span_name: str
    client_on: Callable[[], Any]
    client_off: Callable[[], Any]
    call: Callable[[Any], None]
    sdk_traced: bool = False


WORKLOADS: dict[str, Workload] = {
    "openai chat": Workload(f"chat {OPENAI_MODEL}", openai_client, openai_client, openai_chat),
    "openai chat stream": Workload(f"chat {OPENAI_MODEL}", openai_client, openai_client, openai_chat_stream),
    "openai chat stream, usage asked": Workload(
        f"chat {OPENAI_MODEL}", openai_client, openai_client, openai_chat_stream_with_usage
    ),
    "anthropic messages": Workload(f"chat {ANTHROPIC_MODEL}", anthropic_client, anthropic_client, anthropic_messages),
    "anthropic messages, SDK tracing on": Workload(
        f"chat {ANTHROPIC_MODEL}",
        client_on=lambda: anthropic_client(sdk_tracing=True),
        client_off=anthropic_client,
        call=anthropic_messages,
        sdk_traced=True,
    ),
}
