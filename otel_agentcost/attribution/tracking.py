"""Per-session tracking: which task a call belongs to, and which of its messages belong to earlier tasks of the
session (inherited) or to other sessions (foreign).

The work per call is bounded by what changed since the session's previous call: new messages are read (hashed,
sized, checked against the patterns) once, the rest is recognised by shape (see `conversation.py`). A heartbeat only
reads the session's state: its prompt and reply are nobody's task, and an isolated heartbeat must not replace the
task's records.

Each span lists the messages it brought into its session (`agentcost.context.introduced`: fingerprint and size, the
largest `fingerprints_per_span` of them) and the request's size in characters (`agentcost.context.chars`), so that SQL
over the spans of every process can find a message first introduced by another session (`agentcost_context_bleed`),
beyond what one process's memory sees.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any, NamedTuple

from opentelemetry.util.types import AttributeValue

from .. import attributes as attr
from .conversation import EARLIER, FOREIGN, STANDING, Conversation, Message, read_message
from .ledger import BoundedLRU, FirstSeen, Ledger
from .messages import STANDING_ROLES, role_of, shapes_of, size_of_value, text_of
from .proportion import ContextShare
from .requests import CallRequest
from .settings import AttributionSettings
from .tasks import command_anchor, current_task
from .triggers import SCAN_CHARS, TriggerDetector, matches

MAX_RECORDS = 10_000  # messages kept per session; a longer conversation is read in full on every call instead


class _View(NamedTuple):
    """One call's request against its session's records, before anything about the call is written."""

    keep: bool  # whether this call's messages become the session's records
    length: int  # messages in the conversation as this call has it (a server-side continuation adds the records)
    opening: int  # position of the first message that is not a standing prompt
    prefix: int  # positions unchanged since the previous request
    extends: bool  # the request adds to the previous one
    new: list[Message]  # the messages after the prefix
    sightings: list[FirstSeen | None]  # where each new message was first seen (None: never, or not looked up)


class SessionTracker:
    """The sessions' records and the ledger of first sightings. Not thread-safe: the attributor holds a lock."""

    def __init__(self, settings: AttributionSettings, triggers: TriggerDetector) -> None:
        self.settings = settings
        self._triggers = triggers
        self.ledger = Ledger(settings.ledger_size)
        self.sessions: BoundedLRU[str, Conversation] = BoundedLRU(settings.ledger_sessions)

    def track(
        self, session_id: str, explicit_task: Any, *, derive: bool, heartbeat: bool, request: CallRequest
    ) -> tuple[dict[str, AttributeValue], ContextShare]:
        """The call's derived task and context attributes, and its share of inherited and foreign input."""
        conversation = self._conversation(session_id)
        view = self._view(conversation, request, heartbeat)
        task, anchor = explicit_task, None
        if derive and not heartbeat:
            task, anchor = self._derive(conversation, session_id, view, request.continues)
        owners = _owners(conversation, session_id, view, task, anchor)
        introduced = [] if heartbeat else self._record(conversation, session_id, view, owners)
        sums = _sums(conversation, view, owners, task)
        standing = _standing_chars(conversation, "system", request.system)
        total = sum(sums.values()) + standing + _standing_chars(conversation, "tools", request.tools)
        inherited = sum(chars for owner, chars in sums.items() if owner not in (task, FOREIGN, STANDING))
        share = ContextShare(total, inherited, sums.get(FOREIGN, 0))
        return self._attributes(share, task if derive else None, introduced), share

    def _conversation(self, session_id: str) -> Conversation:
        conversation = self.sessions.get(session_id)
        if conversation is None:
            conversation = Conversation()
            self.sessions.put(session_id, conversation)
        return conversation

    def _view(self, conversation: Conversation, request: CallRequest, heartbeat: bool) -> _View:
        messages = request.messages
        if (len(conversation) if request.continues else 0) + len(messages) > MAX_RECORDS:
            conversation.truncate(0)  # too long to keep: read in full on every call
        base = len(conversation) if request.continues else 0
        length = base + len(messages)
        keep = not heartbeat and length <= MAX_RECORDS
        shapes = shapes_of(messages)
        opening = base + _opening(messages)
        prefix = base if request.continues else conversation.common_prefix(messages, shapes, opening)
        extends = 0 < prefix == len(conversation)
        new = self._read(messages, shapes, base, prefix)
        minimum = self.settings.fingerprint_min_chars
        sightings = [
            None if message.standing or message.size < minimum else self.ledger.get(message.fingerprint)
            for message in new
        ]
        if keep:
            conversation.truncate(prefix)
        return _View(keep, length, opening, prefix, extends, new, sightings)

    def _read(self, messages: Sequence[Any], shapes: Sequence[int], base: int, prefix: int) -> list[Message]:
        """The messages after the unchanged prefix: fingerprint, size, and whether each is a standing prompt or a
        reset command."""
        new = []
        for i in range(prefix - base, len(messages)):
            message = messages[i]
            role = role_of(message)
            text = text_of(message, SCAN_CHARS) if role == "user" else ""
            standing = role in STANDING_ROLES or (bool(text) and self._triggers.is_heartbeat_prompt(text))
            command = bool(text) and not standing and matches(self.settings.reset_patterns, text)
            new.append(read_message(base + i, message, shapes[i], text, standing=standing, command=command))
        return new

    def _derive(
        self, conversation: Conversation, session_id: str, view: _View, continues: bool
    ) -> tuple[str | None, int | None]:
        """The derived task, and the position of its anchor (the message it began with) in this request."""
        if continues and conversation.task_id is not None:
            return conversation.task_id, None
        commands = [*conversation.commands, *(message.index for message in view.new if message.command)]
        if commands and commands[-1] > view.opening:
            position = commands[-1]
            anchor = command_anchor(
                _fingerprint_at(conversation, view, position - 1), _fingerprint_at(conversation, view, position)
            )
        elif view.opening < view.length:
            position = view.opening
            anchor = _fingerprint_at(conversation, view, position)
        else:
            return None, None
        fresh_after = view.prefix <= position + 1 and not any(
            sighting is not None and sighting.session_id == session_id and message.index > position
            for message, sighting in zip(view.new, view.sightings, strict=True)
        )
        task = current_task(
            conversation, session_id, anchor, length=view.length, anchor_position=position, fresh_after=fresh_after
        )
        return task, position

    def _record(
        self, conversation: Conversation, session_id: str, view: _View, owners: list[object]
    ) -> list[tuple[int, int]]:
        """Writes the first sightings of the call's new messages; returns (fingerprint, size) of those new to the
        session, the call's introduced messages. Messages first seen under the same task share one sighting."""
        introduced = []
        minimum = self.settings.fingerprint_min_chars
        for message, owner, sighting in zip(view.new, owners, view.sightings, strict=True):
            if message.standing or message.size < minimum:
                continue
            if sighting is None:
                shared = conversation.sighting
                if shared is None or shared.session_id != session_id or shared.owner != owner:
                    shared = conversation.sighting = FirstSeen(session_id, owner)
                self.ledger.put(message.fingerprint, shared)
            if sighting is None or sighting.session_id != session_id:
                introduced.append((message.fingerprint, message.size))
        return introduced

    def _attributes(
        self, share: ContextShare, derived_task: str | None, introduced: list[tuple[int, int]]
    ) -> dict[str, AttributeValue]:
        found: dict[str, AttributeValue] = {attr.CONTEXT_CHARS: share.total_chars}
        if derived_task is not None:
            found[attr.TASK_ID] = derived_task
        limit = self.settings.fingerprints_per_span
        if introduced and limit:
            largest = introduced if len(introduced) <= limit else heapq.nlargest(limit, introduced, key=_size)
            found[attr.CONTEXT_INTRODUCED] = ",".join(f"{fingerprint:016x}:{size}" for fingerprint, size in largest)
        return found


def _owners(conversation: Conversation, session_id: str, view: _View, task: Any, anchor: int | None) -> list[object]:
    """The task each new message belongs to. A message seen before keeps where it was first seen; a reply that first
    appears in this request belongs to the call that produced it (the previous one); a message before the task's
    anchor that nobody saw belongs to an earlier task; the rest is this call's."""
    first_prompt = next((m.index for m in view.new if m.text and not m.standing), None)
    owners: list[object] = []
    for message, sighting in zip(view.new, view.sightings, strict=True):
        if message.standing:
            owners.append(STANDING)
        elif sighting is not None:
            owners.append(sighting.owner if sighting.session_id == session_id else FOREIGN)
        elif view.extends and (first_prompt is None or message.index < first_prompt):
            owners.append(conversation.last_task)
        elif anchor is not None and message.index < anchor:
            owners.append(EARLIER)
        else:
            owners.append(task)
    return owners


def _sums(conversation: Conversation, view: _View, owners: list[object], task: Any) -> dict[object, int]:
    """Characters per owner over the whole request; the call's messages become the records when they are kept."""
    if view.keep:
        for message, owner in zip(view.new, owners, strict=True):
            conversation.append(message, owner)
        conversation.last_task = task
        return conversation.chars_by_owner
    sums = dict(conversation.chars_by_owner)
    for owner, size in zip(conversation.owners[view.prefix :], conversation.sizes[view.prefix :], strict=True):
        sums[owner] -= size
    for message, owner in zip(view.new, owners, strict=True):
        sums[owner] = sums.get(owner, 0) + message.size
    return sums


def _standing_chars(conversation: Conversation, part: str, value: Any) -> int:
    """The size of a standing part (system blocks, tool definitions), measured again only when the agent sends a
    different object for it: agents keep these objects and resend them on every call."""
    if not isinstance(value, (list, tuple)):
        return size_of_value(value)
    key = (id(value), len(value))
    known = conversation.standing_sizes.get(part)
    if known is None or known[0] != key:
        known = conversation.standing_sizes[part] = (key, size_of_value(value))
    return known[1]


def _opening(messages: Sequence[Any]) -> int:
    """The position of the first message that is not a standing prompt (`len(messages)` when there is none)."""
    position = 0
    while position < len(messages) and role_of(messages[position]) in STANDING_ROLES:
        position += 1
    return position


def _fingerprint_at(conversation: Conversation, view: _View, position: int) -> int:
    kept = len(conversation.fingerprints)
    return conversation.fingerprints[position] if position < kept else view.new[position - kept].fingerprint


def _size(item: tuple[int, int]) -> int:
    return item[1]
