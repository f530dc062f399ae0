"""POST /v1/responses: a Response object, or the named lifecycle events that build one up to response.completed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from otel_agentcost.standin.reply import Exchange, Usage
from otel_agentcost.standin.vendors import OPENAI, with_cost
from otel_agentcost.standin.wire import Endpoint, hex_id, named_events, new_id, now, pieces

Item = dict[str, Any]


def _usage(usage: Usage) -> dict[str, Any]:
    body = {
        "input_tokens": usage.input_tokens,
        "input_tokens_details": {
            "cached_tokens": usage.cached_tokens,
            "cache_write_tokens": usage.cache_write_tokens,
        },
        "output_tokens": usage.output_tokens,
        "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
        "total_tokens": usage.total_tokens,
    }
    return with_cost(body, usage.cost_usd)


def _output(exchange: Exchange) -> list[Item]:
    """Reasoning first when the reply reasoned, then the message (if any text), then one item per tool call."""
    reply = exchange.reply
    items: list[Item] = []
    if reply.reasoning_tokens:
        items.append({"id": hex_id("rs_", 48), "type": "reasoning", "summary": []})
    if reply.text:
        text_part = {"type": "output_text", "text": reply.text, "annotations": [], "logprobs": []}
        message = {"id": hex_id("msg_", 48), "type": "message", "status": "completed", "role": "assistant"}
        items.append({**message, "content": [text_part]})
    for name, args in reply.tool_calls:
        call = {"id": hex_id("fc_", 48), "type": "function_call", "status": "completed", "name": name}
        items.append({**call, "call_id": new_id("call_", 24), "arguments": json.dumps(args)})
    return items


def _response(exchange: Exchange, response_id: str, output: list[Item], done: bool) -> dict[str, Any]:
    request = exchange.request
    created = now()
    return {
        "id": response_id,
        "object": "response",
        "created_at": created,
        "status": "completed" if done else "in_progress",
        "background": False,
        "completed_at": created if done else None,
        "error": None,
        "incomplete_details": None,
        "instructions": request.get("instructions"),
        "max_output_tokens": request.get("max_output_tokens"),
        "model": exchange.model,
        "output": output,
        "parallel_tool_calls": True,
        "previous_response_id": request.get("previous_response_id"),
        "reasoning": {"effort": None, "summary": None},
        "service_tier": "default",
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": request.get("tool_choice", "auto"),
        "tools": request.get("tools", []),
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": _usage(exchange.usage) if done and not exchange.reply.omit_usage else None,
        "user": None,
        "metadata": {},
    }


def complete(exchange: Exchange) -> dict[str, Any]:
    return _response(exchange, hex_id("resp_", 48), _output(exchange), done=True)


def _message_events(item: Item, at: dict[str, Any]) -> list[dict[str, Any]]:
    part = item["content"][0]
    text = part["text"]
    where = {"item_id": item["id"], **at, "content_index": 0}
    return [
        {"type": "response.content_part.added", **where, "part": {**part, "text": ""}},
        *({"type": "response.output_text.delta", **where, "delta": piece, "logprobs": []} for piece in pieces(text)),
        {"type": "response.output_text.done", **where, "text": text, "logprobs": []},
        {"type": "response.content_part.done", **where, "part": part},
    ]


def _call_events(item: Item, at: dict[str, Any]) -> list[dict[str, Any]]:
    where = {"item_id": item["id"], **at}
    arguments = item["arguments"]
    return [
        *({"type": "response.function_call_arguments.delta", **where, "delta": piece} for piece in pieces(arguments)),
        {"type": "response.function_call_arguments.done", **where, "name": item["name"], "arguments": arguments},
    ]


def _opened(item: Item) -> Item:
    """An item as output_item.added announces it: in progress, with nothing generated yet."""
    empty = {"message": {"content": []}, "function_call": {"arguments": ""}}.get(item["type"], {})
    return {**item, **({"status": "in_progress"} if "status" in item else {}), **empty}


def _no_events(item: Item, at: dict[str, Any]) -> list[dict[str, Any]]:
    """A reasoning item streams no content of its own, only its added and done events."""
    return []


_ITEM_EVENTS: dict[str, Callable[[Item, dict[str, Any]], list[dict[str, Any]]]] = {
    "message": _message_events,
    "function_call": _call_events,
}


def stream(exchange: Exchange) -> list[str]:
    response_id = hex_id("resp_", 48)
    output = _output(exchange)
    started = _response(exchange, response_id, [], done=False)
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": started},
        {"type": "response.in_progress", "response": started},
    ]
    for index, item in enumerate(output):
        at = {"output_index": index}
        events.append({"type": "response.output_item.added", **at, "item": _opened(item)})
        events += _ITEM_EVENTS.get(item["type"], _no_events)(item, at)
        events.append({"type": "response.output_item.done", **at, "item": item})
    events.append({"type": "response.completed", "response": _response(exchange, response_id, output, done=True)})
    return named_events([{**event, "sequence_number": number} for number, event in enumerate(events)])


ENDPOINT = Endpoint(
    path="/v1/responses",
    vendor=OPENAI,
    prompt=lambda request: (
        [request.get("input", "")] + ([request["instructions"]] if request.get("instructions") else [])
    ),
    complete=complete,
    stream=stream,
)
