"""The writer's logic: a request is answered once journalled, stored from the journal in order with one
deduplication token per segment, retried while the store fails, bounded in memory, drained (or kept) on close, and
replayed on the next start.

A small in-memory store that can be held mid-insert or made to fail makes these states reachable deterministically;
the journal is the real one on disk. The end-to-end tests (test_serve.py, test_load.py, test_replay.py) run the
writer against the real chDB store.
"""

from __future__ import annotations

import errno
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
from receiver_support import GatedJournal, make_sdk_spans, protobuf_body

from otel_agentcost.receiver.journal import KIND_PROTOBUF, Journal, JournalError, Record, Segment
from otel_agentcost.receiver.otlp import decode_protobuf
from otel_agentcost.receiver.writer import JournalWriteError, QueueFull, SpanWriter, WriterClosed
from otel_agentcost.store.block import SpanBlock

WAIT = 10  # seconds: only a bound on a hang, never a timing assertion


class HeldStore:
    """Records inserts (span ids and token); `hold()` makes inserts wait until `release()`; `failures` more
    inserts fail first."""

    def __init__(self) -> None:
        self.inserts: list[tuple[list[str], str | None]] = []
        self.failures = 0
        self.tried: list[str | None] = []
        self.entered = threading.Event()
        self._gate = threading.Event()
        self._gate.set()

    def hold(self) -> None:
        self._gate.clear()
        self.entered.clear()

    def release(self) -> None:
        self._gate.set()

    def insert_spans(self, spans: SpanBlock, *, dedup_token: str | None = None) -> None:
        self.entered.set()
        assert self._gate.wait(WAIT)
        self.tried.append(dedup_token)
        if self.failures:
            self.failures -= 1
            raise ConnectionError("lost the connection to http://clickhouse:8123/")
        self.inserts.append((list(spans.span_id), dedup_token))

    @property
    def stored(self) -> list[list[str]]:
        return [span_ids for span_ids, _ in self.inserts]


class FullDisk(Journal):
    def write(self, records: Sequence[Record]) -> Segment:
        raise OSError(errno.ENOSPC, "No space left on device")


def _request(extra_spans: int = 0) -> tuple[Record, SpanBlock]:
    body = protobuf_body(make_sdk_spans(count=extra_spans))
    return Record(KIND_PROTOBUF, body), decode_protobuf(body).block


def _ids(spans: SpanBlock) -> list[str]:
    return list(spans.span_id)


@pytest.fixture
def store() -> HeldStore:
    return HeldStore()


def _writer(store: HeldStore, journal: Journal, capacity: int = 100, batch: int = 50) -> SpanWriter:
    writer = SpanWriter(store, journal, capacity_spans=capacity, batch_spans=batch)
    writer.start()
    return writer


def _held_at_the_first_journal_write(
    store: HeldStore, directory: Path, **limits: int
) -> tuple[GatedJournal, SpanWriter, tuple[Record, SpanBlock]]:
    """A writer whose journal is writing a first request and held there until `journal.gate` is set."""
    journal = GatedJournal(directory)
    writer = _writer(store, journal, **limits)
    first = _request()
    writer.submit(*first)
    assert journal.entered.wait(WAIT)
    return journal, writer, first


def _segments(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.seg"))


def test_a_request_completes_once_journalled_before_its_insert(store, tmp_path):
    writer = _writer(store, Journal(tmp_path))
    store.hold()
    record, rows = _request()
    writer.submit(record, rows).result(WAIT)
    assert store.entered.wait(WAIT)
    assert store.inserts == []
    assert len(_segments(tmp_path)) == 1
    store.release()
    writer.close()
    assert store.stored == [_ids(rows)]
    assert _segments(tmp_path) == []


def test_requests_waiting_behind_a_journal_write_share_one_segment(store, tmp_path):
    journal, writer, first = _held_at_the_first_journal_write(store, tmp_path)
    requests = [_request() for _ in range(4)]
    futures = [writer.submit(*request) for request in requests]
    journal.gate.set()
    for future in futures:
        future.result(WAIT)
    writer.close()
    assert journal.written == [1, 4]
    stored = [span for span_ids in store.stored for span in span_ids]
    assert stored == _ids(first[1]) + [span for _, rows in requests for span in _ids(rows)]
    assert all(token and token.startswith("agentcost-journal-") for _, token in store.inserts)


def test_a_segment_stays_within_the_batch_size(store, tmp_path):
    journal, writer, _ = _held_at_the_first_journal_write(store, tmp_path, batch=4)
    futures = [writer.submit(*_request(extra_spans=1)) for _ in range(3)]  # 3 spans each
    journal.gate.set()
    for future in futures:
        future.result(WAIT)
    writer.close()
    assert [len(span_ids) for span_ids in store.stored] == [2, 3, 3, 3]


def test_a_full_queue_refuses_more_spans_counting_the_journal_write_in_progress(store, tmp_path):
    journal, writer, _ = _held_at_the_first_journal_write(store, tmp_path, capacity=4)
    writer.submit(*_request())
    assert not writer.has_room()
    with pytest.raises(QueueFull, match="4 spans are waiting to be journalled"):
        writer.submit(*_request())
    journal.gate.set()
    writer.close()
    assert sum(len(span_ids) for span_ids in store.stored) == 4


def test_a_request_larger_than_the_queue_is_taken_when_the_queue_is_empty(store, tmp_path):
    writer = _writer(store, Journal(tmp_path), capacity=2, batch=2)
    record, rows = _request(extra_spans=4)
    writer.submit(record, rows).result(WAIT)
    writer.close()
    assert store.stored == [_ids(rows)]


def test_a_failing_insert_is_retried_with_the_same_token_until_it_succeeds(store, tmp_path):
    store.failures = 3
    writer = _writer(store, Journal(tmp_path))
    record, rows = _request()
    writer.submit(record, rows).result(WAIT)
    assert writer.wait_until_stored(WAIT)
    writer.close()
    assert len(store.tried) == 4 and len(set(store.tried)) == 1
    assert store.inserts == [(_ids(rows), store.tried[0])]
    assert _segments(tmp_path) == []


def test_segments_beyond_the_memory_cap_are_decoded_back_from_the_journal_for_their_insert(store, tmp_path):
    writer = _writer(store, Journal(tmp_path), capacity=3)
    store.hold()
    requests = [_request() for _ in range(4)]  # 2 spans each: only the first segment's rows fit in memory
    writer.submit(*requests[0]).result(WAIT)
    assert store.entered.wait(WAIT)
    for request in requests[1:]:
        writer.submit(*request).result(WAIT)
    store.release()
    writer.close()
    first, *others = (_ids(rows) for _, rows in requests)
    assert store.stored == [first, [span for ids in others for span in ids]]


def test_segments_piled_up_behind_an_insert_are_stored_by_one_insert_recorded_as_a_batch_first(store, tmp_path):
    writer = _writer(store, Journal(tmp_path))
    store.hold()
    first = _request()
    writer.submit(*first).result(WAIT)
    assert store.entered.wait(WAIT)
    piled = [_request() for _ in range(3)]
    for request in piled:
        writer.submit(*request).result(WAIT)
    store.entered.clear()
    store.release()
    writer.close()
    assert store.stored == [_ids(first[1]), [span for _, rows in piled for span in _ids(rows)]]
    (_, single), (_, batch) = store.inserts
    assert single.startswith("agentcost-journal-0") and batch.startswith("agentcost-journal-batch-")
    assert list(tmp_path.iterdir()) == [tmp_path / "lock"]


def test_a_recorded_batch_is_replayed_grouped_as_it_was_and_under_the_same_token(store, tmp_path):
    journal = Journal(tmp_path)
    written = [(journal.write([record]), rows) for record, rows in (_request() for _ in range(3))]
    batch = journal.batch([segment for segment, _ in written[:2]])  # then the crash, before or after its insert
    journal.close()
    writer = _writer(store, Journal(tmp_path))
    writer.close()
    assert store.inserts == [
        (_ids(written[0][1]) + _ids(written[1][1]), batch.token),
        (_ids(written[2][1]), written[2][0].token),
    ]


def test_a_batch_partly_deleted_was_stored_and_is_not_replayed(store, tmp_path):
    journal = Journal(tmp_path)
    written = [(journal.write([record]), rows) for record, rows in (_request() for _ in range(3))]
    journal.batch([segment for segment, _ in written])
    written[0][0].path.unlink()  # the crash came while the stored batch's segments were being deleted
    journal.close()
    writer = _writer(store, Journal(tmp_path))
    writer.close()
    assert store.inserts == []
    assert list(tmp_path.iterdir()) == [tmp_path / "lock"]


def test_a_full_disk_fails_the_request_and_acknowledges_nothing(store, tmp_path):
    writer = _writer(store, FullDisk(tmp_path))
    with pytest.raises(JournalWriteError, match="No space left on device"):
        writer.submit(*_request()).result(WAIT)
    writer.close()
    assert store.inserts == []


def test_close_stores_everything_journalled_then_refuses_more(store, tmp_path):
    writer = _writer(store, Journal(tmp_path))
    store.hold()
    requests = [_request() for _ in range(3)]
    for request in requests:
        writer.submit(*request).result(WAIT)
    closer = threading.Thread(target=writer.close)
    closer.start()
    store.release()
    closer.join(WAIT)
    assert sorted(span for span_ids in store.stored for span in span_ids) == sorted(
        span for _, rows in requests for span in _ids(rows)
    )
    with pytest.raises(WriterClosed):
        writer.submit(*_request())
    assert not writer.accepting


def test_a_store_failing_at_shutdown_leaves_the_journal_for_the_next_start_which_stores_it_first(
    store, tmp_path, caplog
):
    store.failures = 1_000
    journal = Journal(tmp_path)
    writer = _writer(store, journal)
    acknowledged = _request()
    writer.submit(*acknowledged).result(WAIT)
    writer.close()
    journal.close()
    assert store.inserts == []
    assert "segment(s) stay in" in caplog.text
    store.failures = 0
    store.hold()
    writer = _writer(store, Journal(tmp_path))
    new = _request()
    writer.submit(*new).result(WAIT)
    store.release()
    writer.close()
    assert store.stored == [_ids(acknowledged[1]), _ids(new[1])]


def test_a_request_abandoned_before_it_is_journalled_is_not_stored(store, tmp_path):
    journal, writer, first = _held_at_the_first_journal_write(store, tmp_path)
    gone, kept = _request(), _request()
    assert writer.submit(*gone).cancel()
    writer.submit(*kept)
    journal.gate.set()
    writer.close()
    assert [span for span_ids in store.stored for span in span_ids] == _ids(first[1]) + _ids(kept[1])
    assert writer.queued_spans == 0


def test_a_corrupt_segment_is_quarantined_at_startup_and_the_others_replayed(store, tmp_path, caplog):
    journal = Journal(tmp_path)
    written = [(journal.write([record]), rows) for record, rows in (_request() for _ in range(3))]
    journal.close()
    corrupt = written[1][0].path
    data = bytearray(corrupt.read_bytes())
    data[-5] ^= 0xFF
    corrupt.write_bytes(bytes(data))
    (tmp_path / "00000000000000000099-unfinished.tmp").write_bytes(b"half a segment")
    with caplog.at_level(logging.INFO):
        writer = _writer(store, Journal(tmp_path))
        writer.close()
    assert store.stored == [_ids(written[0][1]), _ids(written[2][1])]
    assert (tmp_path / "quarantine" / corrupt.name).read_bytes() == bytes(data)
    assert f"segment {corrupt.name} cannot be replayed (the record at byte" in caplog.text
    assert "fails its checksum" in caplog.text
    assert list(tmp_path.glob("*.tmp")) == [] and _segments(tmp_path) == []


def test_a_journal_directory_has_one_owner(tmp_path):
    journal = Journal(tmp_path)
    with pytest.raises(JournalError, match="in use by another otel-agentcost serve"):
        Journal(tmp_path)
    journal.close()
    Journal(tmp_path).close()


def test_a_new_journal_directory_is_private_to_its_owner(tmp_path):
    Journal(tmp_path / "journal").close()
    assert (tmp_path / "journal").stat().st_mode & 0o777 == 0o700
