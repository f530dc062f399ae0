"""Exactly once across a crash, on the real engine (chDB): an insert named by a deduplication token is stored once
however often it is repeated, so a journal segment replayed after a crash between its insert and its deletion
stores nothing twice."""

from __future__ import annotations

from receiver_support import make_sdk_spans, protobuf_body, span_counts

from otel_agentcost.receiver.journal import KIND_PROTOBUF, Journal, Record
from otel_agentcost.receiver.otlp import decode_protobuf
from otel_agentcost.receiver.server import warn_without_dedup
from otel_agentcost.receiver.writer import SpanWriter


def _rows(extra_spans: int = 3):
    return decode_protobuf(protobuf_body(make_sdk_spans(count=extra_spans))).block.rows()


def test_an_insert_repeated_with_the_same_token_is_stored_once(chdb_store):
    before, _ = span_counts(chdb_store)
    rows = _rows()
    chdb_store.insert_spans(rows, dedup_token="batch-1")
    chdb_store.insert_spans(rows, dedup_token="batch-1")
    assert span_counts(chdb_store)[0] == before + len(rows)


def test_the_same_rows_under_another_token_are_stored_again(chdb_store):
    before, _ = span_counts(chdb_store)
    rows = _rows()
    chdb_store.insert_spans(rows, dedup_token="batch-2")
    chdb_store.insert_spans(rows, dedup_token="batch-3")
    assert span_counts(chdb_store)[0] == before + 2 * len(rows)


def test_a_batch_replayed_after_a_crash_between_its_insert_and_its_deletion_is_stored_once(chdb_store, tmp_path):
    before, distinct_before = span_counts(chdb_store)
    journal = Journal(tmp_path)
    bodies = [protobuf_body(make_sdk_spans(count=5)) for _ in range(3)]
    segments = [journal.write([Record(KIND_PROTOBUF, body)]) for body in bodies]
    batch = journal.batch(segments)
    rows = [row for body in bodies for row in decode_protobuf(body).block.rows()]
    chdb_store.insert_spans(rows, dedup_token=batch.token)  # stored; then the crash, before the deletion
    journal.close()

    writer = SpanWriter(chdb_store, Journal(tmp_path), capacity_spans=1_000, batch_spans=1_000)
    writer.start()  # the next start replays the batch
    writer.close()

    assert list(tmp_path.glob("*.seg")) == [] and list(tmp_path.glob("*.batch")) == []
    assert span_counts(chdb_store) == (before + len(rows), distinct_before + len(rows))


def test_serve_warns_with_the_fix_when_the_spans_table_keeps_no_deduplication_window(chdb_store, caplog):
    warn_without_dedup(chdb_store)
    assert "deduplication window" not in caplog.text
    chdb_store.command("ALTER TABLE otel_traces MODIFY SETTING non_replicated_deduplication_window = 0")
    try:
        warn_without_dedup(chdb_store)
    finally:
        chdb_store.command("ALTER TABLE otel_traces MODIFY SETTING non_replicated_deduplication_window = 1000")
    assert "otel.otel_traces keeps no deduplication window" in caplog.text
    assert "ALTER TABLE otel.otel_traces MODIFY SETTING non_replicated_deduplication_window = 1000" in caplog.text
