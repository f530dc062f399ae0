"""A SpanBlock as the Arrow table that span inserts send, when pyarrow is installed.

The driver's Native encoder builds its blocks in Python, one value at a time (and a dictionary for every
LowCardinality column, the attribute maps' keys included); pyarrow builds each Arrow column from a list in C, and
the engine reads Arrow in C++. The block's flat attribute columns are already Arrow's layout for a map. chDB depends
on pyarrow, so the embedded store always has it; an agent that installed only the base package writes to a server
through the Native encoder (`ClientStore.insert_spans`).
"""

from __future__ import annotations

from functools import cache
from importlib.util import find_spec
from typing import TYPE_CHECKING

from otel_agentcost.store.block import AttributeColumn, SpanBlock
from otel_agentcost.store.columns import INSERT_COLUMNS

if TYPE_CHECKING:
    import pyarrow

AVAILABLE = find_spec("pyarrow") is not None


def block_table(block: SpanBlock) -> pyarrow.Table:
    """The block as a table whose columns are INSERT_COLUMNS, in that order, typed as `otel_traces` reads them."""
    import pyarrow as pa

    schema = _schema()
    arrays = [
        _map_array(column) if isinstance(column, AttributeColumn) else pa.array(column, field.type)
        for field, column in zip(schema, block, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def _map_array(column: AttributeColumn) -> pyarrow.MapArray:
    import pyarrow as pa

    offsets = pa.array([0, *column.ends], pa.int32())
    keys, values = pa.array(column.keys, pa.string()), pa.array(column.values, pa.large_string())
    return pa.MapArray.from_arrays(offsets, keys, values)


@cache  # built on first use: importing pyarrow takes a while, and only inserts need it
def _schema() -> pyarrow.Schema:
    import pyarrow as pa

    # Values can be long (captured prompts and completions): large_string has 64-bit offsets, so a block of them
    # cannot overflow the 2 GiB a plain string array holds.
    text, nanoseconds = pa.large_string(), pa.timestamp("ns")
    attributes = pa.map_(pa.string(), text)
    types = [
        *(nanoseconds, text, text, text, text, text, text, text, attributes, text, text, attributes),
        *(pa.uint64(), text, text, pa.list_(nanoseconds), pa.list_(text), pa.list_(attributes)),
        *(pa.list_(text), pa.list_(text), pa.list_(text), pa.list_(attributes)),
    ]
    return pa.schema(list(zip(INSERT_COLUMNS, types, strict=True)))
