"""POST /v1/messages: a Message, or the message_start ... message_stop event stream of the Anthropic API.

Anthropic's `input_tokens` excludes the cache: the prompt splits into input_tokens + cache_read_input_tokens +
cache_creation_input_tokens. A stream's message_start carries the input counts and a placeholder output count;
the message_delta at the end carries the cumulative final output count, which replaces it.
"""

from __future__ import annotations

import json
from typing import Any

from otel_agentcost.standin.reply import Exchange, Usage
from otel_agentcost.standin.vendors import ANTHROPIC
from otel_agentcost.standin.wire import Endpoint, named_events, new_id, pieces

Block = dict[str, Any]


def _input_usage(usage: Usage) -> dict[str, int]:
    return {
        "input_tokens": usage.uncached_input_tokens,
        "cache_creation_input_tokens": usage.cache_write_tokens,
        "cache_read_input_tokens": usage.cached_tokens,
    }


def _output_usage(usage: Usage) -> dict[str, Any]:
    details = {"output_tokens_details": {"thinking_tokens": usage.reasoning_tokens}} if usage.reasoning_tokens else {}
    return {"output_tokens": usage.output_tokens, **details}


def _message_usage(usage: Usage, output: dict[str, Any]) -> dict[str, Any]:
    cache_creation = {"ephemeral_5m_input_tokens": usage.cache_write_tokens, "ephemeral_1h_input_tokens": 0}
    extra = {"service_tier": "standard", "inference_geo": "not_available"}
    return {**_input_usage(usage), "cache_creation": cache_creation, **output, **extra}


def _content(exchange: Exchange) -> list[Block]:
    reply = exchange.reply
    blocks: list[Block] = [{"type": "text", "text": reply.text}] if reply.text else []
    blocks += [
        {"type": "tool_use", "id": new_id("toolu_01", 22), "name": name, "input": args}
        for name, args in reply.tool_calls
    ]
    return blocks


def _message(exchange: Exchange, content: list[Block], usage: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {
        "model": exchange.model,
        "id": new_id("msg_01", 22),
        "type": "message",
        "role": "assistant",
        "content": content,
        "stop_reason": None,
        "stop_sequence": None,
        "stop_details": None,
    }
    if not exchange.reply.omit_usage:
        message["usage"] = usage
    return message


def _stop_reason(exchange: Exchange) -> str:
    return "tool_use" if exchange.reply.tool_calls else "end_turn"


def complete(exchange: Exchange) -> dict[str, Any]:
    usage = _message_usage(exchange.usage, _output_usage(exchange.usage))
    return {**_message(exchange, _content(exchange), usage), "stop_reason": _stop_reason(exchange)}


def _block_events(index: int, block: Block) -> list[dict[str, Any]]:
    """A text block streams as text_delta pieces; a tool_use block opens with empty input, then input_json_delta."""
    if block["type"] == "text":
        opened: Block = {**block, "text": ""}
        deltas = [{"type": "text_delta", "text": piece} for piece in pieces(block["text"])]
    else:
        opened = {**block, "input": {}}
        json_pieces = ["", *pieces(json.dumps(block["input"]))]
        deltas = [{"type": "input_json_delta", "partial_json": piece} for piece in json_pieces]
    return [
        {"type": "content_block_start", "index": index, "content_block": opened},
        *({"type": "content_block_delta", "index": index, "delta": delta} for delta in deltas),
        {"type": "content_block_stop", "index": index},
    ]


def stream(exchange: Exchange) -> list[str]:
    usage = exchange.usage
    placeholder = {"output_tokens": min(1, usage.output_tokens)}
    events: list[dict[str, Any]] = [
        {"type": "message_start", "message": _message(exchange, [], _message_usage(usage, placeholder))}
    ]
    for index, block in enumerate(_content(exchange)):
        events += _block_events(index, block)
    events.insert(min(2, len(events)), {"type": "ping"})
    delta: dict[str, Any] = {"stop_reason": _stop_reason(exchange), "stop_sequence": None, "stop_details": None}
    final: dict[str, Any] = {"type": "message_delta", "delta": delta}
    if not exchange.reply.omit_usage:
        final["usage"] = {**_input_usage(usage), **_output_usage(usage)}
    events += [final, {"type": "message_stop"}]
    return named_events(events)


ENDPOINT = Endpoint(
    path="/v1/messages",
    vendor=ANTHROPIC,
    prompt=lambda request: [request.get("messages", [])] + ([request["system"]] if request.get("system") else []),
    complete=complete,
    stream=stream,
)
