"""The writer queue's logic: bounded, coalescing, per-request results, draining on close.

These unit tests use a small in-memory store that can be held mid-insert, to make queue states reachable
deterministically; the end-to-end tests (test_serve.py, test_load.py) run the writer against the real chDB store.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from otel_agentcost.receiver.writer import QueueFull, SpanWriter, StoreWriteError, WriterClosed
from otel_agentcost.store.columns import SpanRow

WAIT = 10  # seconds: only a bound on a hang, never a timing assertion


def _rows(*names: str) -> list[SpanRow]:
    return [
        SpanRow(0, "1" * 32, f"{n:016x}", "", "", name, "Internal", "svc", {}, "", "", {}, 0, "Unset", "", *[[]] * 7)
        for n, name in enumerate(names, 1)
    ]


class HeldStore:
    """Records inserts; `hold()` makes the next insert wait until `release()`."""

    def __init__(self) -> None:
        self.inserts: list[list[str]] = []
        self.poison: set[str] = set()
        self.entered = threading.Event()
        self._gate = threading.Event()
        self._gate.set()

    def hold(self) -> None:
        self._gate.clear()
        self.entered.clear()

    def release(self) -> None:
        self._gate.set()

    def insert_spans(self, rows: Sequence[SpanRow]) -> None:
        self.entered.set()
        assert self._gate.wait(WAIT)
        names = [row.span_name for row in rows]
        if self.poison.intersection(names):
            raise RuntimeError("Code: 27. DB::Exception: Cannot parse input")
        self.inserts.append(names)


@pytest.fixture
def store() -> HeldStore:
    return HeldStore()


def _writer(store: HeldStore, capacity: int = 100, batch: int = 50) -> SpanWriter:
    writer = SpanWriter(store, capacity_spans=capacity, batch_spans=batch)
    writer.start()
    return writer


def _held_with_one_insert_running(store: HeldStore, writer: SpanWriter) -> None:
    store.hold()
    writer.submit(_rows("first"))
    assert store.entered.wait(WAIT)


def test_a_request_completes_once_its_spans_are_stored(store):
    writer = _writer(store)
    writer.submit(_rows("a", "b")).result(WAIT)
    assert store.inserts == [["a", "b"]]
    writer.close()


def test_requests_waiting_behind_an_insert_are_coalesced_into_one_insert(store):
    writer = _writer(store)
    _held_with_one_insert_running(store, writer)
    futures = [writer.submit(_rows(f"r{n}")) for n in range(5)]
    store.release()
    for future in futures:
        future.result(WAIT)
    assert store.inserts == [["first"], ["r0", "r1", "r2", "r3", "r4"]]
    writer.close()


def test_a_coalesced_insert_stays_within_the_batch_size(store):
    writer = _writer(store, batch=4)
    _held_with_one_insert_running(store, writer)
    futures = [writer.submit(_rows("a", "b", "c")) for _ in range(3)]
    store.release()
    for future in futures:
        future.result(WAIT)
    assert [len(names) for names in store.inserts] == [1, 3, 3, 3]
    writer.close()


def test_a_full_queue_refuses_more_spans_counting_the_insert_in_progress(store):
    writer = _writer(store, capacity=3)
    _held_with_one_insert_running(store, writer)
    writer.submit(_rows("a", "b"))
    assert not writer.has_room()
    with pytest.raises(QueueFull, match="3 spans are waiting"):
        writer.submit(_rows("c"))
    store.release()
    writer.close()
    assert store.inserts == [["first"], ["a", "b"]]


def test_a_request_larger_than_the_queue_is_taken_when_the_queue_is_empty(store):
    writer = _writer(store, capacity=2, batch=2)
    writer.submit(_rows("a", "b", "c", "d")).result(WAIT)
    assert store.inserts == [["a", "b", "c", "d"]]
    writer.close()


def test_a_failing_request_in_a_coalesced_insert_fails_alone(store):
    writer = _writer(store)
    _held_with_one_insert_running(store, writer)
    good = writer.submit(_rows("good"))
    bad = writer.submit(_rows("bad"))
    also_good = writer.submit(_rows("also good"))
    store.poison.add("bad")
    store.release()
    good.result(WAIT)
    also_good.result(WAIT)
    with pytest.raises(StoreWriteError, match="Cannot parse input"):
        bad.result(WAIT)
    assert store.inserts == [["first"], ["good"], ["also good"]]
    writer.close()


def test_close_stores_everything_queued_then_refuses_more(store):
    writer = _writer(store)
    _held_with_one_insert_running(store, writer)
    futures = [writer.submit(_rows(f"r{n}")) for n in range(3)]
    closer = threading.Thread(target=writer.close)
    closer.start()
    store.release()
    closer.join(WAIT)
    assert all(future.done() and future.exception() is None for future in futures)
    assert store.inserts == [["first"], ["r0", "r1", "r2"]]
    with pytest.raises(WriterClosed):
        writer.submit(_rows("late"))
    assert not writer.accepting


def test_a_request_abandoned_before_its_insert_is_not_stored(store):
    writer = _writer(store)
    _held_with_one_insert_running(store, writer)
    abandoned = writer.submit(_rows("gone"))
    kept = writer.submit(_rows("kept"))
    assert abandoned.cancel()
    store.release()
    kept.result(WAIT)
    writer.close()
    assert store.inserts == [["first"], ["kept"]]
    assert writer.queued_spans == 0
