"""A batch of spans as the columns of `otel_traces`: what the writers build and a store inserts as one block.

ClickHouse stores and reads columns, and so do the formats it takes inserts in (Arrow, Native): a block built
column by column is encoded without visiting each span again. The attribute maps are the bulk of a span (thirty or
so attributes on an LLM call) and are kept flat, as both formats lay out a Map column: one list of keys and one of
values for the whole block, and where each row's entries end. Building them that way never makes a dict per span,
and the values the SDK holds as ints, floats or bools are turned into the collector's strings in one pass over the
block.

`SpanRow` is the same data one span at a time: `SpanBlock.of_rows` and `rows()` go between the two, for writers that
decode span by span (the OTLP receiver) and for the Native encoder used when pyarrow is not installed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain
from operator import methodcaller
from typing import Any, NamedTuple

from otel_agentcost.store.columns import SpanRow
from otel_agentcost.store.values import attribute_string


@dataclass(frozen=True)
class AttributeColumn:
    """A Map(LowCardinality(String), String) column, flat: row i's entries are keys/values[ends[i-1]:ends[i]]."""

    ends: list[int]  # one per row: the offset past its last entry (so ends[-1] == len(keys))
    keys: list[str]
    values: list[str]

    @classmethod
    def of(cls, maps: Sequence[Mapping[str, Any]]) -> AttributeColumn:
        """The column of `maps`, one per row, whose values are stored strings (SpanRow's) or the SDK's values
        (`attribute_string` turns those into the collector's strings; strings pass unchanged)."""
        keys = list(chain.from_iterable(maps))
        values = [
            value if value.__class__ is str else attribute_string(value)
            # lazily: each view is dropped as soon as it is read, so a block's worth never waits for the collector
            for value in chain.from_iterable(map(_values, maps))
        ]
        return cls(list(accumulate(map(len, maps))), keys, values)

    @classmethod
    def concat(cls, columns: Sequence[AttributeColumn]) -> AttributeColumn:
        """One column of several, in order: each one's row ends moved past the entries of those before it."""
        ends: list[int] = []
        for column in columns:
            offset = ends[-1] if ends else 0
            ends.extend([end + offset for end in column.ends] if offset else column.ends)
        keys = list(chain.from_iterable(column.keys for column in columns))
        return cls(ends, keys, list(chain.from_iterable(column.values for column in columns)))

    def maps(self) -> list[dict[str, str]]:
        keys, values = self.keys, self.values
        starts = [0, *self.ends]
        return [dict(zip(keys[a:b], values[a:b], strict=True)) for a, b in zip(starts, self.ends, strict=False)]


class SpanBlock(NamedTuple):
    """The columns of INSERT_COLUMNS in their order (SpanRow's fields, one list each), the two attribute maps flat."""

    timestamp_ns: Sequence[int]
    trace_id: Sequence[str]
    span_id: Sequence[str]
    parent_span_id: Sequence[str]
    trace_state: Sequence[str]
    span_name: Sequence[str]
    span_kind: Sequence[str]
    service_name: Sequence[str]
    resource_attributes: AttributeColumn
    scope_name: Sequence[str]
    scope_version: Sequence[str]
    span_attributes: AttributeColumn
    duration_ns: Sequence[int]
    status_code: Sequence[str]
    status_message: Sequence[str]
    events_timestamp_ns: Sequence[list[int]]
    events_name: Sequence[list[str]]
    events_attributes: Sequence[list[dict[str, str]]]
    links_trace_id: Sequence[list[str]]
    links_span_id: Sequence[list[str]]
    links_trace_state: Sequence[list[str]]
    links_attributes: Sequence[list[dict[str, str]]]

    @classmethod
    def of_rows(cls, rows: Iterable[Sequence[Any]], *, span_attributes: AttributeColumn | None = None) -> SpanBlock:
        """A block of rows in SpanRow's order; their attribute maps may hold the SDK's values (see
        AttributeColumn.of). A writer that built the span attributes' column itself passes it as `span_attributes`
        (the rows' own are then ignored)."""
        columns: list[Any] = list(zip(*rows, strict=True)) or [()] * len(SpanRow._fields)
        columns[_RESOURCE] = AttributeColumn.of(columns[_RESOURCE])
        columns[_SPAN] = AttributeColumn.of(columns[_SPAN]) if span_attributes is None else span_attributes
        return cls._make(columns)

    @classmethod
    def concat(cls, blocks: Sequence[SpanBlock]) -> SpanBlock:
        """One block of several, in order; of none, the empty block."""
        if not blocks:
            return cls.of_rows([])
        if len(blocks) == 1:
            return blocks[0]
        return cls._make(
            AttributeColumn.concat(parts) if index in _MAP_COLUMNS else list(chain.from_iterable(parts))
            for index, parts in enumerate(zip(*blocks, strict=True))
        )

    @property
    def size(self) -> int:
        """The number of spans (len() is the number of columns, as for any tuple)."""
        return len(self.timestamp_ns)

    def rows(self) -> list[SpanRow]:
        columns: list[Any] = list(self)
        for index in _MAP_COLUMNS:
            columns[index] = columns[index].maps()
        return [SpanRow._make(row) for row in zip(*columns, strict=True)]


_values = methodcaller("values")
_RESOURCE = SpanRow._fields.index("resource_attributes")
_SPAN = SpanRow._fields.index("span_attributes")
_MAP_COLUMNS = (_RESOURCE, _SPAN)
