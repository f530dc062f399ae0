"""One session's conversation as the latest request showed it: per message, position by position, its shape,
fingerprint, size and owner (the task it belongs to).

Agents resend the whole conversation on every call, and it mostly grows at the end. Keeping the previous request's
per-message records means a call that extends it reads only its new messages: the old ones are recognised by their
shape (role and lengths, no hashing) and keep the fingerprint and owner they were given. The records are compact
(a few machine words per message, never the content), and their total chars per owner are kept as running sums so
that the inherited and foreign shares of a call cost one pass over a handful of owners.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any, NamedTuple

from .ledger import FirstSeen
from .messages import canonical_and_size, fingerprint_of


class _Marker:
    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


# Owners that are not tasks of the session.
FOREIGN = _Marker("FOREIGN")  # first seen under another session
EARLIER = _Marker("EARLIER")  # before the current task began, and never seen by this process: an earlier task's
STANDING = _Marker("STANDING")  # system prompts and heartbeat prompts: standing instructions, nobody's context


class Message(NamedTuple):
    """A message new to the conversation, read once."""

    index: int  # its position in the conversation
    fingerprint: int
    size: int
    shape: int
    text: str  # the start of a user message's text ('' for other roles), for the trigger and reset patterns
    standing: bool  # a system or heartbeat prompt: nobody's context
    command: bool  # a task-reset command (`/new`)


def read_message(index: int, message: Any, shape: int, text: str, *, standing: bool, command: bool) -> Message:
    canonical, size = canonical_and_size(message)
    return Message(index, fingerprint_of(canonical), size, shape, text, standing, command)


class Conversation:
    """The records of one session's latest request, and what task derivation remembers about the session."""

    def __init__(self) -> None:
        self.shapes = array("q")
        self.fingerprints = array("Q")
        self.sizes = array("Q")
        self.owners: list[object] = []
        self.chars_by_owner: dict[object, int] = {}
        self.commands: list[int] = []  # positions of task-reset commands, ascending
        self.last_task: object = None  # the task of the call that wrote these records
        self.sighting: FirstSeen | None = None  # the latest first sighting written, shared by the task's messages
        # Task derivation (see tasks.py).
        self.anchor: int | None = None  # the key of the current derived task's first message
        self.task_id: str | None = None
        self.task_extent = 0  # how many messages the latest call of the current derived task had
        self.occurrences: dict[int, int] = {}  # anchor key -> how many tasks it began in this session
        # The sizes of the standing parts (system, tools), by part: (the object's id and length, its size).
        self.standing_sizes: dict[str, tuple[tuple[int, int], int]] = {}

    def __len__(self) -> int:
        return len(self.owners)

    def common_prefix(self, messages: Sequence[Any], shapes: Sequence[int], opening: int) -> int:
        """How many leading messages are unchanged since the previous request, given their `shapes`. Shapes are
        compared position by position; the last unchanged message and the opening one are then confirmed by
        fingerprint, so that a reset to a conversation of the same lengths is not mistaken for the old one."""
        limit = min(len(self.shapes), len(shapes))
        same = limit
        if self.shapes[:limit].tolist() != shapes[:limit]:
            same = next(i for i in range(limit) if shapes[i] != self.shapes[i])
        for position in {same - 1, opening} if same else ():
            if (
                position < same
                and fingerprint_of(canonical_and_size(messages[position])[0]) != self.fingerprints[position]
            ):
                return 0
        return same

    def truncate(self, length: int) -> None:
        if length >= len(self.owners):
            return
        for owner, size in zip(self.owners[length:], self.sizes[length:], strict=True):
            if not size:
                continue
            left = self.chars_by_owner[owner] - size
            if left:
                self.chars_by_owner[owner] = left
            else:
                del self.chars_by_owner[owner]  # tasks come and go over days: keep only those still present
        del self.shapes[length:], self.fingerprints[length:], self.sizes[length:], self.owners[length:]
        while self.commands and self.commands[-1] >= length:
            self.commands.pop()

    def append(self, message: Message, owner: object) -> None:
        self.shapes.append(message.shape)
        self.fingerprints.append(message.fingerprint)
        self.sizes.append(message.size)
        self.owners.append(owner)
        if message.size:
            self.chars_by_owner[owner] = self.chars_by_owner.get(owner, 0) + message.size
        if message.command:
            self.commands.append(message.index)
