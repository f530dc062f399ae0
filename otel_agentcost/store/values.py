"""Attribute values as the collector stores them: every value a string, written as pdata's `Value.AsString()`.

Ints are decimal text, bools `true`/`false`, floats plain decimals without exponent (Go's
`strconv.FormatFloat(f, 'f', -1, 64)`), bytes base64, and arrays and maps compact JSON with Go's HTML escaping.
A reader cannot tell whether a row came from the real collector or from this project.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

# Go's encoding/json escapes these inside strings by default; pdata marshals arrays and maps with it.
_GO_HTML_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def format_float(value: float) -> str:
    """Shortest round-tripping decimal without exponent, as Go's FormatFloat(v, 'f', -1, 64)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def attribute_string(value: Any) -> str:
    """One attribute value (as the OpenTelemetry SDK holds it) in the collector's stored form."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return _to_json(value)


def attribute_map(attributes: Mapping[str, Any] | None) -> dict[str, str]:
    if not attributes:
        return {}
    return {key: attribute_string(value) for key, value in attributes.items()}


def _to_json(value: Any) -> str:
    return json.dumps(_json_ready(value), separators=(",", ":"), ensure_ascii=False).translate(_GO_HTML_ESCAPES)


def _json_ready(value: Any) -> Any:
    """What Go's json.Marshal would see in pdata's AsRaw(): bytes become base64, tuples become lists."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_json_ready(item) for item in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        # Go marshals a float64 with an integral value without a fraction: 3.0 -> 3.
        return int(value)
    return value
