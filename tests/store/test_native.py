"""The Native block encoder, checked by the engine itself: rows of every shape the columns allow are inserted into
`otel_traces` on both backends and read back unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from otel_agentcost.store.columns import SpanRow
from otel_agentcost.store.native import EncodingError, spans_block
from otel_agentcost.store.schema import init_schema

STORED_ROWS = Path(__file__).parents[1] / "receiver" / "sql" / "stored_rows.sql"
START = 1_767_225_600_123_456_789


def span(trace_id: str, span_id: str, **fields: object) -> SpanRow:
    empty = SpanRow(START, trace_id, span_id, "", "", "s", "Client", "svc", {}, "", "", {}, 0, "Unset", "", *[[]] * 7)
    return empty._replace(**fields)


def stored(store, trace_id: str) -> list[SpanRow]:
    return [SpanRow(**row) for row in store.query(STORED_ROWS.read_text(), {"trace_id": trace_id})]


@pytest.fixture(scope="module")
def schema(store):
    init_schema(store)
    return store


def test_text_of_any_length_and_script_reads_back_as_it_went(schema):
    trace = "1" * 32
    rows = [
        span(trace, "a" * 16, span_name="é✓ 漢字 🚀", span_attributes={"ключ": "значение", "": "", "k": "x" * 20_000}),
        span(trace, "b" * 16, span_name="ascii", status_message="y" * 200, resource_attributes={"r": "🚀" * 5_000}),
        span(trace, "c" * 16, span_name="", trace_state="k=v", duration_ns=2**64 - 1, timestamp_ns=0),
    ]
    schema.insert_spans(rows)
    assert stored(schema, trace) == sorted(rows, key=lambda row: (row.span_name, row.span_id))


def test_events_and_links_keep_their_order_and_their_empty_members(schema):
    trace = "2" * 32
    row = span(
        trace,
        "d" * 16,
        events_timestamp_ns=[START + 2, START + 1, START + 3],
        events_name=["b", "a", "b"],
        events_attributes=[{"n": "1"}, {}, {"x": "", "y": "z"}],
        links_trace_id=["3" * 32, ""],
        links_span_id=["e" * 16, ""],
        links_trace_state=["", "a=b"],
        links_attributes=[{}, {"kind": "follows"}],
    )
    schema.insert_spans([row, span(trace, "f" * 16)])
    assert stored(schema, trace) == [row, span(trace, "f" * 16)]


@pytest.mark.parametrize("distinct", [256, 257, 70_000], ids=["one-byte-index", "two-byte-index", "four-byte-index"])
def test_dictionaries_of_any_size_read_back(schema, distinct):
    """LowCardinality positions widen from one byte to two and four as the dictionary grows."""
    trace = f"{distinct:032x}"
    names = [f"name-{n % 300}" for n in range(600)]
    rows = [span(trace, f"{n:016x}", span_name=name) for n, name in enumerate(names)]
    rows[0] = rows[0]._replace(span_attributes={f"key-{n}": str(n) for n in range(distinct)})
    schema.insert_spans(rows)
    assert stored(schema, trace) == sorted(rows, key=lambda row: (row.span_name, row.span_id))


@pytest.mark.parametrize(
    ("fields", "column"),
    [
        ({"span_name": None}, "SpanName"),
        ({"parent_span_id": 7}, "ParentSpanId"),
        ({"timestamp_ns": 2**63}, "Timestamp"),
        ({"duration_ns": -1}, "Duration"),
        ({"span_attributes": {"k": 1}}, "SpanAttributes"),
        ({"status_message": "\ud800"}, "StatusMessage"),
    ],
)
def test_a_value_its_column_cannot_hold_is_refused_naming_the_column(fields, column):
    with pytest.raises(EncodingError, match=f"^column {column}: "):
        spans_block([span("4" * 32, "1" * 16), span("4" * 32, "2" * 16, **fields)])
