"""POST /v1/embeddings: one small vector per input, derived from the input so equal texts embed equally."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from typing import Any

from otel_agentcost.standin.reply import Exchange
from otel_agentcost.standin.vendors import OPENAI, with_cost
from otel_agentcost.standin.wire import Endpoint

DEFAULT_DIMENSIONS = 8


def _inputs(request: dict[str, Any]) -> list[object]:
    """A string or one token list is a single input; any other list holds one input per element."""
    value = request.get("input", "")
    if isinstance(value, list) and value and not isinstance(value[0], int):
        return list(value)
    return [value]


def vector(item: object, dimensions: int = DEFAULT_DIMENSIONS) -> list[float]:
    """Multiples of 1/128 in [-1, 1): exact in float32, so the base64 and float encodings decode alike."""
    digest = hashlib.shake_256(json.dumps(item).encode()).digest(dimensions)
    return [(byte - 128) / 128 for byte in digest]


def _encode(values: list[float], encoding_format: str) -> list[float] | str:
    if encoding_format == "base64":
        return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()
    return values


def complete(exchange: Exchange) -> dict[str, Any]:
    request = exchange.request
    dimensions = int(request.get("dimensions") or DEFAULT_DIMENSIONS)
    encoding_format = str(request.get("encoding_format") or "float")
    data = [
        {"object": "embedding", "index": index, "embedding": _encode(vector(item, dimensions), encoding_format)}
        for index, item in enumerate(_inputs(request))
    ]
    body: dict[str, Any] = {"object": "list", "data": data, "model": exchange.model}
    if not exchange.reply.omit_usage:
        tokens = exchange.usage.input_tokens
        body["usage"] = with_cost({"prompt_tokens": tokens, "total_tokens": tokens}, exchange.usage.cost_usd)
    return body


ENDPOINT = Endpoint(
    path="/v1/embeddings",
    vendor=OPENAI,
    prompt=lambda request: [request.get("input", "")],
    complete=complete,
)
