"""POST /v1/chat/completions: a ChatCompletion, or chat.completion.chunk events ending in `data: [DONE]`."""

from __future__ import annotations

import json
from typing import Any

from otel_agentcost.standin.reply import Exchange, Usage
from otel_agentcost.standin.vendors import OPENAI, with_cost
from otel_agentcost.standin.wire import Endpoint, hex_id, new_id, now, pieces, sse


def _usage(usage: Usage) -> dict[str, Any]:
    prompt_details: dict[str, int] = {"cached_tokens": usage.cached_tokens, "audio_tokens": 0}
    if usage.cache_write_tokens:
        prompt_details["cache_write_tokens"] = usage.cache_write_tokens
    body = {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens,
        "prompt_tokens_details": prompt_details,
        "completion_tokens_details": {
            "reasoning_tokens": usage.reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }
    return with_cost(body, usage.cost_usd)


def _head(exchange: Exchange, kind: str) -> dict[str, Any]:
    return {
        "id": new_id("chatcmpl-", 29),
        "object": kind,
        "created": now(),
        "model": exchange.model,
        "service_tier": "default",
        "system_fingerprint": hex_id("fp_", 10),
    }


def _tool_calls(exchange: Exchange) -> list[dict[str, Any]]:
    return [
        {"id": new_id("call_", 24), "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
        for name, args in exchange.reply.tool_calls
    ]


def _finish_reason(exchange: Exchange) -> str:
    return "tool_calls" if exchange.reply.tool_calls else "stop"


def complete(exchange: Exchange) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "assistant",
        "content": exchange.reply.text or None,
        "refusal": None,
        "annotations": [],
    }
    calls = _tool_calls(exchange)
    if calls:
        message["tool_calls"] = calls
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": _finish_reason(exchange)}
    body = {**_head(exchange, "chat.completion"), "choices": [choice]}
    if not exchange.reply.omit_usage:
        body["usage"] = _usage(exchange.usage)
    return body


def _call_deltas(index: int, call: dict[str, Any]) -> list[dict[str, Any]]:
    """A tool call streams as its id and name first, then its arguments in pieces."""
    function = call["function"]
    named = {"name": function["name"], "arguments": ""}
    opening = {"index": index, "id": call["id"], "type": "function", "function": named}
    rest = [{"index": index, "function": {"arguments": piece}} for piece in pieces(function["arguments"])]
    return [{"tool_calls": [delta]} for delta in [opening, *rest]]


def stream(exchange: Exchange) -> list[str]:
    """Usage comes only with stream_options.include_usage: `"usage": null` on every chunk, then a last chunk
    with no choices and the usage (unless the reply omits usage)."""
    include_usage = bool((exchange.request.get("stream_options") or {}).get("include_usage"))
    head = _head(exchange, "chat.completion.chunk")
    text = exchange.reply.text

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return {**head, "choices": [choice], **({"usage": None} if include_usage else {})}

    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": "" if text else None, "refusal": None}]
    deltas += [{"content": piece} for piece in pieces(text)]
    for index, call in enumerate(_tool_calls(exchange)):
        deltas += _call_deltas(index, call)
    chunks = [chunk(delta) for delta in deltas] + [chunk({}, _finish_reason(exchange))]
    if include_usage and not exchange.reply.omit_usage:
        chunks.append({**head, "choices": [], "usage": _usage(exchange.usage)})
    return [sse(item) for item in chunks] + [sse("[DONE]")]


ENDPOINT = Endpoint(
    path="/v1/chat/completions",
    vendor=OPENAI,
    prompt=lambda request: [request.get("messages", [])],
    complete=complete,
    stream=stream,
)
