"""The ledger remembers where messages were first seen in bounded memory, forgetting the least recently seen first."""

from __future__ import annotations

import pytest

from otel_agentcost.attribution.ledger import BoundedLRU


def test_it_keeps_the_most_recently_used_entries_up_to_its_capacity():
    lru: BoundedLRU[int, str] = BoundedLRU(3)
    for key in range(5):
        lru.put(key, f"v{key}")
    assert len(lru) == 3
    assert [lru.get(key) for key in range(5)] == [None, None, "v2", "v3", "v4"]


def test_reading_an_entry_keeps_it_longer():
    lru: BoundedLRU[str, int] = BoundedLRU(2)
    lru.put("old", 1)
    lru.put("new", 2)
    assert lru.get("old") == 1
    lru.put("newest", 3)
    assert (lru.get("old"), lru.get("new"), lru.get("newest")) == (1, None, 3)


def test_a_capacity_below_one_is_refused():
    with pytest.raises(ValueError, match="capacity must be at least 1, got 0"):
        BoundedLRU(0)
