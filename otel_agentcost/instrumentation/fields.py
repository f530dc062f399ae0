"""Reading response fields that may be SDK models, plain dicts (raw or compatible providers) or missing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def field(obj: Any, *path: str) -> Any:
    """The value at `path` in nested models or dicts; None where any level lacks it."""
    for name in path:
        if obj is None:
            return None
        obj = obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)
    return obj


def count(obj: Any, *path: str) -> int | None:
    """A token count at `path`, or None when absent or not a whole number (bools are not counts)."""
    value = field(obj, *path)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def amount(obj: Any, *path: str) -> float | None:
    value = field(obj, *path)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def text(obj: Any, *path: str) -> str | None:
    value = field(obj, *path)
    return value if isinstance(value, str) else None


def body_of(result: Any) -> Any:
    """The response object to read: `result` itself, or for a raw response (`with_raw_response`) its JSON body.

    A raw response whose body the caller has not read yet (`with_streaming_response`) gives None: reading it here
    would consume what the caller is about to read.
    """
    http_response = getattr(result, "http_response", None)
    if http_response is None or not hasattr(result, "parse"):
        return result
    if not getattr(http_response, "is_closed", False):
        return None
    try:
        return http_response.json()
    except ValueError:
        return None
