"""SpanBlock: spans as the columns of otel_traces, and the same rows stored whichever encoding carries them (Arrow in
memory for chDB, Arrow or Native over HTTP for a server)."""

from __future__ import annotations

import pytest

from otel_agentcost.store import SpanRow, open_store
from otel_agentcost.store.block import AttributeColumn, SpanBlock
from otel_agentcost.store.schema import init_schema
from tests.report_data import collector_row


def row(number: int, service: str, attributes: dict[str, str]) -> SpanRow:
    return collector_row(
        service_name=service,
        timestamp_ns=1_767_225_600_000_000_000 + number,
        trace_id=f"{number:032x}",
        span_id=f"{number:016x}",
        span_name="chat gpt-5",
        span_kind="Client",
        scope_name="otel_agentcost",
        scope_version="1",
        span_attributes=attributes,
        duration_ns=5,
        status_code="Ok",
    )


ROWS = [
    row(1, "coder", {"gen_ai.usage.input_tokens": "10", "agentcost.session.id": "s-1"}),
    row(2, "", {}),
    row(3, "pm", {"only": "one", "prompt": "x" * 70_000}),
]


def test_rows_come_back_as_they_went_in():
    block = SpanBlock.of_rows(ROWS)
    assert block.size == 3
    assert block.rows() == ROWS


def test_an_empty_block_has_no_rows():
    assert SpanBlock.of_rows([]).size == 0
    assert SpanBlock.of_rows([]).rows() == []


def test_blocks_concatenate_in_order_with_their_maps_kept_to_their_rows():
    blocks = [SpanBlock.of_rows(ROWS[:1]), SpanBlock.of_rows([]), SpanBlock.of_rows(ROWS[1:])]
    joined = SpanBlock.concat(blocks)
    assert joined.size == 3
    assert joined.rows() == ROWS
    assert joined.span_attributes.ends == [2, 2, 4]


def test_no_blocks_concatenate_to_the_empty_block():
    assert SpanBlock.concat([]) == SpanBlock.of_rows([])


def test_attribute_maps_are_flat_with_each_rows_end():
    column = AttributeColumn.of([{"a": "1", "b": "2"}, {}, {"c": "3"}])
    assert (column.ends, column.keys, column.values) == ([2, 2, 3], ["a", "b", "c"], ["1", "2", "3"])
    assert column.maps() == [{"a": "1", "b": "2"}, {}, {"c": "3"}]


def test_the_sdks_values_become_the_collectors_strings():
    column = AttributeColumn.of([{"n": 12, "ok": True, "cost": 0.25, "why": ("stop",), "tiny": 1e-7, "s": "x"}])
    assert column.values == ["12", "true", "0.25", '["stop"]', "1e-7", "x"]


@pytest.fixture(scope="module", params=[("embedded", "arrow"), ("server", "arrow"), ("server", "native")], ids=str)
def encoded_store(request, chdb_dir):
    """A store sending spans as Arrow (chDB: in memory; a server: over HTTP), or as the driver's Native blocks (what
    an agent without pyarrow sends to a server)."""
    backend, encoding = request.param
    database = f"block_{backend}_{encoding}"
    if backend == "embedded":
        opened = open_store(f"chdb:{chdb_dir}?database={database}")
    else:
        opened = open_store(request.getfixturevalue("chdb_http").url(database))
    opened._arrow = encoding == "arrow"
    init_schema(opened)
    yield opened
    opened.close()


@pytest.fixture
def empty_store(encoded_store):
    encoded_store.command("TRUNCATE TABLE otel_traces")
    return encoded_store


def test_every_encoding_stores_the_same_rows(empty_store):
    empty_store.insert_spans(SpanBlock.of_rows(ROWS))
    stored = empty_store.query("SELECT TraceId, ServiceName, SpanAttributes FROM otel_traces ORDER BY TraceId")
    assert [(row["TraceId"], row["ServiceName"], row["SpanAttributes"]) for row in stored] == [
        (row.trace_id, row.service_name, row.span_attributes) for row in ROWS
    ]
    assert empty_store.query("SELECT count() AS n FROM otel_traces WHERE agentcost_llm_call")[0]["n"] == 1


def test_a_block_named_twice_is_stored_once(empty_store):
    empty_store.insert_spans(ROWS, dedup_token="block-1")
    empty_store.insert_spans(ROWS, dedup_token="block-1")
    assert empty_store.query("SELECT count() AS n FROM otel_traces")[0]["n"] == len(ROWS)
