"""Where each message was first seen: its fingerprint -> (session, task), in bounded memory.

Sessions run for days, so nothing here grows without limit: the ledger keeps the `capacity` most recently seen
fingerprints and forgets the least recently seen one first. A message forgotten here is still known to the session
whose conversation holds it (see `conversation.py`); only a much later sighting in another session or after a reset
would go unrecognised. Cross-process bleed does not depend on this memory at all: each span lists the messages it
introduced (see `attributor.py`), and SQL over every process's spans finds them.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, NamedTuple, TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")


class FirstSeen(NamedTuple):
    session_id: str
    owner: object  # the task the message was first seen under: a task id, None (no task), or conversation.EARLIER


class BoundedLRU(Generic[_K, _V]):
    """A mapping that keeps its `capacity` most recently used entries."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._entries: OrderedDict[_K, _V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: _K) -> _V | None:
        """The entry for `key`, now the most recently used; None when absent."""
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: _K, value: _V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)


class Ledger(BoundedLRU[int, FirstSeen]):
    """Fingerprint -> where it was first seen. `put` is only called for a fingerprint `get` did not find."""
