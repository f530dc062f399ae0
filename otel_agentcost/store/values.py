"""Attribute values as the collector stores them: every value a string, written as pdata's `Value.AsString()`.

Ints are decimal text, bools `true`/`false`, floats as ES6 numbers (plain decimals, an exponent below 1e-6 or from
1e21 up), bytes base64, and arrays and maps compact JSON as Go's json.Marshal writes it (HTML escaping, sorted keys).
A reader cannot tell whether a row came from the real collector or from this project.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

# Go's encoding/json escapes these inside strings by default; pdata marshals arrays and maps with it.
_GO_HTML_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def format_float(value: float) -> str:
    """A double as pdata's float64AsString writes it: ES6 number-to-string, as Go's encoding/json does.

    Plain shortest decimals, except an exponent below 1e-6 or from 1e21 up (`1e-7`, `1.5e+21`). NaN and
    infinities come out as pdata's own error text, which is what the collector stores for them.
    """
    text = repr(value)
    if "e" not in text and "n" not in text:
        # Python's repr is already the shortest plain decimal from 1e-4 up to 1e16 (nan and inf hold an "n"):
        # ES6 writes the same digits, without the ".0" of a whole number.
        return text[:-2] if text.endswith(".0") else text
    if math.isnan(value) or math.isinf(value):
        return "json: unsupported value: " + ("NaN" if math.isnan(value) else "+Inf" if value > 0 else "-Inf")
    magnitude = abs(value)
    if magnitude < 1e-6 or magnitude >= 1e21:
        # repr gives Go's shortest 'e' form with a two-digit exponent; Go then drops the padding of e-0X.
        mantissa, _, exponent = text.partition("e")
        sign, digits = exponent[0], exponent[1:].lstrip("0")
        return f"{mantissa}e{sign}{digits.zfill(2) if sign == '+' else digits}"
    text = format(Decimal(text), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


class _Unmarshalable(ValueError):
    """A NaN or infinity inside an array or map: Go's json.Marshal fails and pdata stores ''."""


def attribute_string(value: Any) -> str:
    """One attribute value (as the OpenTelemetry SDK holds it) in the collector's stored form."""
    convert = _BY_TYPE.get(type(value))
    return convert(value) if convert is not None else _by_isinstance(value)


def _by_isinstance(value: Any) -> str:
    """Subclasses of the value types (an IntEnum, a str subclass) and sequences, which have no entry by type."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, (bytes, bytearray)):
        return _base64(value)
    return _to_json(value)


def _base64(value: bytes | bytearray) -> str:
    return base64.b64encode(bytes(value)).decode("ascii")


def attribute_map(attributes: Mapping[str, Any] | None) -> dict[str, str]:
    """attribute_string of each value, inlined: this runs for every attribute of every stored span.

    Most values are already strings: the map is copied whole (in C), then only the others are replaced, ints (the
    token counts) without a lookup.
    """
    if not attributes:
        return {}
    converted = dict(attributes)
    by_type = _BY_TYPE.get
    for key, value in attributes.items():
        kind = value.__class__
        if kind is str:
            continue
        converted[key] = repr(value) if kind is int else (by_type(kind) or _by_isinstance)(value)
    return converted


def _tuple_json(value: tuple[Any, ...]) -> str:
    """A tuple's JSON, remembered for tuples of strings: LLM spans repeat a few (finish reasons such as `["stop"]`).

    Only all-string tuples are remembered, so a hit is always one: no other tuple equals one of them (`(1,)` and
    `(True,)` are equal tuples with different JSON, and neither is ever stored).
    """
    text = _STRING_TUPLES.get(value)
    if text is None:
        text = _to_json(value)
        if len(_STRING_TUPLES) < _STRING_TUPLES_CAP and all(item.__class__ is str for item in value):
            _STRING_TUPLES[value] = text
    return text


_STRING_TUPLES: dict[tuple[Any, ...], str] = {}
_STRING_TUPLES_CAP = 4096  # distinct tuples kept; beyond it they are encoded each time, memory stays bounded


def _to_json(value: Any) -> str:
    try:
        return _json(value).translate(_GO_HTML_ESCAPES)
    except _Unmarshalable:
        return ""


def _json(value: Any) -> str:
    """Compact JSON as Go's json.Marshal writes pdata's AsRaw(): sorted map keys, ES6 floats, bytes as base64."""
    encode = _JSON_BY_TYPE.get(type(value))
    return encode(value) if encode is not None else _json_by_isinstance(value)


def _json_by_isinstance(value: Any) -> str:
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _json_float(value)
    if isinstance(value, (bytes, bytearray)):
        return json.dumps(_base64(value))
    if isinstance(value, Mapping):
        items = sorted((str(key), item) for key, item in value.items())
        return "{" + ",".join(f"{encode_basestring(key)}:{_json(item)}" for key, item in items) + "}"
    if isinstance(value, Sequence):
        return _json_array(value)
    return encode_basestring(str(value))


def _json_float(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        raise _Unmarshalable(value)
    return format_float(value)


def _json_array(value: Sequence[Any]) -> str:
    return "[" + ",".join(map(_json, value)) + "]"


# The types arrays hold, looked up in one step; encode_basestring is the quoting json.dumps(ensure_ascii=False) uses.
_JSON_BY_TYPE: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    bool: lambda value: "true" if value else "false",
    int: int.__repr__,
    float: _json_float,
    type(None): lambda value: "null",
    list: _json_array,
    tuple: _json_array,
}


# The exact types the SDK holds, looked up in one step (this runs for every attribute of every span).
_BY_TYPE: dict[type, Callable[[Any], str]] = {
    str: str,
    bool: lambda value: "true" if value else "false",
    int: int.__repr__,
    float: format_float,
    bytes: _base64,
    bytearray: _base64,
    list: _to_json,
    tuple: _tuple_json,
}
