"""Reading response fields that may be SDK models, plain dicts (raw or compatible providers) or missing.

The SDKs build response objects without validating them, so a provider (or a proxy, or a compatible server) that
sends a count as a string, a negative number or a list hands that value straight through. Every reader here
returns None for a value it cannot use, and never raises: a garbled field is a missing field.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

# The largest count an OTLP int attribute (int64) can carry; anything above is not a real count.
_MAX_COUNT = 2**63 - 1
_NOT_A_MODEL = object()


def field(obj: Any, *path: str) -> Any:
    """The value at `path` in nested models or dicts; None where any level lacks it."""
    for name in path:
        if obj is None:
            return None
        obj = _member(obj, name)
    return obj


def _member(obj: Any, name: str) -> Any:
    """One level of `field`, on every call's hot path: the SDKs' pydantic models are read from their fields (and
    extra fields, where compatible providers put theirs) without `getattr`, whose misses go through pydantic's slow
    `__getattr__`; plain dicts by their exact type before the slower `Mapping` check."""
    if type(obj) is dict:
        return obj.get(name)
    values = getattr(obj, "__dict__", None)
    if type(values) is dict and name in values:
        return values[name]
    extra = getattr(obj, "__pydantic_extra__", _NOT_A_MODEL)
    if extra is not _NOT_A_MODEL and hasattr(type(obj), "__pydantic_fields__"):
        return extra.get(name) if type(extra) is dict else None
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def members(obj: Any) -> Mapping[str, Any]:
    """The fields of `obj` by name, for a reader that takes several of one object: one lookup for the object, then
    a dict `get` per field, instead of `field`'s checks per field. A dict is itself; a pydantic model is its fields,
    over its extra fields where it has any; anything else reads each name as `field` does."""
    if type(obj) is dict:
        return obj
    if obj is None:
        return _NOTHING
    values = getattr(obj, "__dict__", None)
    if type(values) is dict and _is_model_type(type(obj)):
        extra = getattr(obj, "__pydantic_extra__", None)
        return {**extra, **values} if type(extra) is dict and extra else values
    return _Fields(obj)


_MODEL_TYPES: dict[type, bool] = {}  # type -> whether it is a pydantic model's: a handful of SDK response types
_MODEL_TYPES_SIZE = 1024  # a bound for a process that makes classes on the fly


def _is_model_type(cls: type) -> bool:
    """Whether `cls` is a pydantic model class, remembered per class (the class attribute lookup goes up the MRO)."""
    known = _MODEL_TYPES.get(cls)
    if known is None:
        if len(_MODEL_TYPES) >= _MODEL_TYPES_SIZE:
            _MODEL_TYPES.clear()
        known = _MODEL_TYPES[cls] = hasattr(cls, "__pydantic_fields__")
    return known


class _Fields(Mapping[str, Any]):
    """An object that is neither a dict nor a pydantic model, read name by name as `field` reads it."""

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def get(self, key: str, default: Any = None) -> Any:
        found = _member(self._obj, key)
        return default if found is None else found

    def __getitem__(self, key: str) -> Any:
        return self.get(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


_NOTHING: Mapping[str, Any] = {}


def count_value(value: Any) -> int | None:
    """`value` as a token count, or None when it is not a whole number from 0 to int64's maximum (a bool is not a
    count)."""
    if type(value) is not int and (isinstance(value, bool) or not isinstance(value, int)):
        return None
    return value if 0 <= value <= _MAX_COUNT else None


def amount_value(value: Any) -> float | None:
    """`value` as a cost, or None when it is not a finite, non-negative number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        found = float(value)
    except OverflowError:
        return None
    return found if math.isfinite(found) and found >= 0 else None


def text_value(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def items_value(value: Any) -> Sequence[Any]:
    """`value` as a list of items; none when it is not a list (a string is text, not items)."""
    if type(value) is list:  # what the SDKs build, on every stream chunk: before the slower ABC check
        return value
    return value if isinstance(value, Sequence) and not isinstance(value, (str, bytes)) else ()


def count(obj: Any, *path: str) -> int | None:
    """A token count at `path` (see `count_value`)."""
    return count_value(field(obj, *path))


def amount(obj: Any, *path: str) -> float | None:
    """A cost at `path` (see `amount_value`)."""
    return amount_value(field(obj, *path))


def text(obj: Any, *path: str) -> str | None:
    return text_value(field(obj, *path))


def items(obj: Any, *path: str) -> Sequence[Any]:
    """The list at `path`; no items when it is absent or not a list."""
    return items_value(field(obj, *path))


def body_of(result: Any) -> Any:
    """The response object to read: `result` itself, or for a raw response (`with_raw_response`) its JSON body.

    A raw response whose body the caller has not read yet (`with_streaming_response`) gives None: reading it here
    would consume what the caller is about to read.
    """
    http_response = members(result).get("http_response")  # not getattr: a miss on a pydantic model is slow
    if http_response is None or not hasattr(result, "parse"):
        return result
    if not getattr(http_response, "is_closed", False):
        return None
    try:
        return http_response.json()
    except ValueError:
        return None
