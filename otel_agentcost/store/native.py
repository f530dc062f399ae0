"""`otel_traces` rows as one block of ClickHouse's Native format: the engine's own columnar encoding, which it reads
without conversion, the same bytes whether they go to a server over HTTP or into chDB.

Encoding is done here, column by column, rather than through the driver's general insert path: that path builds a
LowCardinality dictionary one Python step per value, and the attribute maps hold some thirty keys per span. Here a
column is transposed once (`zip(*rows)`), and each step runs over a whole column inside the interpreter's C loops:
strings are joined with their length prefixes in one `str.join` (ASCII text, the common case, encodes once as
latin-1, whose code points are the prefix bytes themselves), dictionaries are deduplicated with `dict.fromkeys`.

The layout, as ClickHouse's own serializers write it: per block, the column and row counts; per column, its name,
its type, the serialization prefix of any LowCardinality inside it (the dictionary version, 1, written before the
column's data even when nested), then the data. An Array or Map is its cumulative UInt64 offsets, then its flattened
elements (for a Map, all keys, then all values). A LowCardinality(String) is its index width with the "new dictionary,
additional keys" flags, the dictionary, the row count, and each row's position in the dictionary.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Callable, Sequence
from itertools import accumulate, chain
from typing import Any

from otel_agentcost.store.columns import INSERT_COLUMNS, INSERT_TYPES, SpanRow

_LITTLE_ENDIAN = sys.byteorder == "little"
_LOW_CARDINALITY_VERSION = struct.pack("<Q", 1)  # SharedDictionariesWithAdditionalKeys
_NEW_DICTIONARY_WITH_ADDITIONAL_KEYS = (1 << 9) | (1 << 10)


class EncodingError(ValueError):
    """A row value the column's ClickHouse type cannot hold; the message names the column."""


def _leb128(number: int) -> bytes:
    out = bytearray()
    while number >= 0x80:
        out.append((number & 0x7F) | 0x80)
        number >>= 7
    out.append(number)
    return bytes(out)


_SHORT = 1 << 14  # string lengths whose prefix is precomputed (one or two bytes)
_PREFIX_TEXT = tuple(_leb128(length).decode("latin-1") for length in range(_SHORT))


def _strings(values: Sequence[str]) -> bytes:
    """A String column: each value's UTF-8 bytes after their length as LEB128."""
    if not values:
        return b""
    lengths = list(map(len, values))
    if max(lengths) < _SHORT and all(map(str.isascii, values)):
        prefixes = map(_PREFIX_TEXT.__getitem__, lengths)
        return "".join(chain.from_iterable(zip(prefixes, values, strict=True))).encode("latin-1")
    encoded = [value.encode() for value in values]
    return b"".join(chain.from_iterable(zip(map(_leb128, map(len, encoded)), encoded, strict=True)))


def _low_cardinality(values: Sequence[str]) -> bytes:
    """A LowCardinality(String) column's data (its prefix, the version, is written by the outermost column)."""
    if not values:
        return b""
    dictionary = dict.fromkeys(values)
    positions = {value: position for position, value in enumerate(dictionary)}
    code, typecode = (0, "B") if len(dictionary) <= 1 << 8 else (1, "H") if len(dictionary) <= 1 << 16 else (2, "I")
    index = array(typecode, map(positions.__getitem__, values))
    return b"".join(
        (
            struct.pack("<QQ", _NEW_DICTIONARY_WITH_ADDITIONAL_KEYS | code, len(dictionary)),
            _strings(list(dictionary)),
            struct.pack("<Q", len(values)),
            _little_endian(index),
        )
    )


def _little_endian(numbers: array) -> bytes:
    if not _LITTLE_ENDIAN:
        numbers.byteswap()
    return numbers.tobytes()


def _int64s(values: Sequence[int]) -> bytes:
    return _little_endian(array("q", values))


def _uint64s(values: Sequence[int]) -> bytes:
    return _little_endian(array("Q", values))


def _offsets(lists: Sequence[Sequence[Any]]) -> bytes:
    return _uint64s(list(accumulate(map(len, lists))))


def _flat(lists: Sequence[Sequence[Any]]) -> list[Any]:
    return [item for items in lists for item in items]


def _maps(maps: Sequence[dict[str, str]]) -> bytes:
    """Map(LowCardinality(String), String) data: offsets, every key, every value."""
    keys = [key for mapping in maps for key in mapping]
    values = [value for mapping in maps for value in mapping.values()]
    return _offsets(maps) + _low_cardinality(keys) + _strings(values)


def _array_of(elements: Callable[[Sequence[Any]], bytes]) -> Callable[[Sequence[Sequence[Any]]], bytes]:
    return lambda lists: _offsets(lists) + elements(_flat(lists))


_Column = Callable[[Sequence[Any]], bytes]
_ATTRIBUTES = "Map(LowCardinality(String), String)"
# Each INSERT_TYPES type's data encoder, and whether a LowCardinality inside it needs the version prefix.
_ENCODERS: dict[str, tuple[_Column, bool]] = {
    "DateTime64(9)": (_int64s, False),
    "UInt64": (_uint64s, False),
    "String": (_strings, False),
    "LowCardinality(String)": (_low_cardinality, True),
    _ATTRIBUTES: (_maps, True),
    "Array(DateTime64(9))": (_array_of(_int64s), False),
    "Array(String)": (_array_of(_strings), False),
    "Array(LowCardinality(String))": (_array_of(_low_cardinality), True),
    f"Array({_ATTRIBUTES})": (_array_of(_maps), True),
}


def _column_header(name: str, type_name: str) -> bytes:
    return b"".join(_leb128(len(text)) + text for text in (name.encode(), type_name.encode()))


_COLUMNS = [
    (name, _column_header(name, type_name), *_ENCODERS[type_name])
    for name, type_name in zip(INSERT_COLUMNS, INSERT_TYPES, strict=True)
]


def spans_block(rows: Sequence[SpanRow]) -> bytes:
    """INSERT_COLUMNS of `rows` as one Native block (with INSERT_TYPES' types)."""
    parts = [_leb128(len(_COLUMNS)), _leb128(len(rows))]
    for (name, header, encode, versioned), values in zip(_COLUMNS, zip(*rows, strict=True), strict=True):
        parts.append(header)
        if versioned:
            parts.append(_LOW_CARDINALITY_VERSION)
        try:
            parts.append(encode(values))
        except (TypeError, ValueError, OverflowError, AttributeError) as error:
            raise EncodingError(f"column {name}: {error}") from error
    return b"".join(parts)
