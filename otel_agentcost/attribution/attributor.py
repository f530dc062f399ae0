"""Zero-code attribution of one LLM call: its session, trigger and task, and how much of its input is inherited
from earlier tasks of the session or came from another session.

Everything explicit wins: the code's scopes, baggage and `AGENTCOST_*` variables (the context layer). What is not
explicit is recognised from the request the agent sends anyway. The work per call is bounded by what changed since
the session's previous call: new messages are read (hashed, sized, checked against the patterns) once, the rest is
recognised by shape (see `conversation.py`). Sessions' state lives under one lock, held for that work only.

Each span also lists the messages it brought into its session (`agentcost.context.introduced`: fingerprint and size,
the largest `fingerprints_per_span` of them) and the request's size in characters (`agentcost.context.chars`), so
that SQL over the spans of every process can find a message first introduced by another session
(`agentcost_context_bleed`), beyond what one process's memory sees.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.util.types import AttributeValue

from .. import attributes as attr
from .conversation import EARLIER, FOREIGN, STANDING, Conversation, Message, read_message
from .ledger import BoundedLRU, FirstSeen, Ledger
from .messages import STANDING_ROLES, role_of, shapes_of, size_of_value, text_of
from .proportion import ContextShare
from .requests import CallRequest
from .sessions import Session, resolve
from .settings import AttributionSettings
from .tasks import command_anchor, current_task
from .triggers import HEARTBEAT, SCAN_CHARS, TriggerDetector, matches

# The context layer's own sources of attributes, by the names AGENTCOST_SESSION_SOURCES uses for them.
Layers = Mapping[str, Mapping[str, AttributeValue]]
LAYERS = ("env", "baggage", "context")  # lowest priority first

MAX_RECORDS = 10_000  # messages kept per session; a longer conversation is read in full on every call instead
_SESSION_KEYS = (attr.SESSION_ID, attr.GEN_AI_CONVERSATION_ID)


@dataclass(frozen=True)
class CallAttribution:
    """The attributes a call's span starts with, and its context share for the token split at its end."""

    attributes: Mapping[str, AttributeValue]
    context: ContextShare | None = None


@dataclass
class _Reading:
    """What one call's new messages are, before anything is written."""

    new: list[Message]
    standing: list[bool]
    sightings: list[FirstSeen | None]
    commands: list[int] = field(default_factory=list)


class CallAttributor:
    """Attribution for the calls of one instrumented process (one per `instrument()`)."""

    def __init__(self, settings: AttributionSettings | None = None) -> None:
        self.settings = settings if settings is not None else AttributionSettings.load()
        self.triggers = TriggerDetector(self.settings)
        self.ledger = Ledger(self.settings.ledger_size)
        self.sessions: BoundedLRU[str, Conversation] = BoundedLRU(self.settings.ledger_sessions)
        self._lock = threading.Lock()

    def scope_attributes(self, layers: Layers) -> dict[str, AttributeValue]:
        """The attribution of a span that has no request: the layers merged, the session by the configured order."""
        return self._base(layers, None)[0]

    def attribute(self, layers: Layers, request: CallRequest | None) -> CallAttribution:
        values, session = self._base(layers, request)
        if request is None:
            return CallAttribution(values)
        trigger = values.get(attr.TRIGGER)
        if trigger is None and request.messages:
            trigger = self.triggers.detect(request)
            if trigger is not None:
                values[attr.TRIGGER] = trigger
        if session is None or not request.messages:
            return CallAttribution(values)
        explicit_task = values.get(attr.TASK_ID)
        derive = self.settings.detect_tasks and explicit_task is None and session.source != "context"
        with self._lock:
            found, share = self._track(
                session.session_id, explicit_task, derive=derive, heartbeat=trigger == HEARTBEAT, request=request
            )
        values.update(found)
        return CallAttribution(values, share)

    def _base(self, layers: Layers, request: CallRequest | None) -> tuple[dict[str, AttributeValue], Session | None]:
        values: dict[str, AttributeValue] = {}
        for name in LAYERS:
            values.update(layers.get(name, {}))
        session = resolve(self.settings, layers, request)
        for key in _SESSION_KEYS:
            values.pop(key, None)
        if session is not None:
            values[attr.SESSION_ID] = values[attr.GEN_AI_CONVERSATION_ID] = session.session_id
        return values, session

    # --- per session, under the lock ---------------------------------------------------------------------------
    def _conversation(self, session_id: str) -> Conversation:
        conversation = self.sessions.get(session_id)
        if conversation is None:
            conversation = Conversation()
            self.sessions.put(session_id, conversation)
        return conversation

    def _track(
        self, session_id: str, explicit_task: Any, *, derive: bool, heartbeat: bool, request: CallRequest
    ) -> tuple[dict[str, AttributeValue], ContextShare]:
        """The call's derived task and context attributes, and its share. A heartbeat only reads the session's state:
        its prompt and reply are nobody's task, and an isolated heartbeat must not replace the task's records."""
        conversation = self._conversation(session_id)
        messages = request.messages
        if (len(conversation) if request.continues else 0) + len(messages) > MAX_RECORDS:
            conversation.truncate(0)  # too long to keep: read in full on every call, records not written
        base = len(conversation) if request.continues else 0
        length = base + len(messages)
        keep = not heartbeat and length <= MAX_RECORDS
        opening = base + next((i for i, m in enumerate(messages) if role_of(m) not in STANDING_ROLES), len(messages))
        shapes = shapes_of(messages)
        prefix = base if request.continues else conversation.common_prefix(messages, shapes, opening)
        extends = 0 < prefix == len(conversation)
        reading = self._read(messages, shapes, base, prefix)
        if keep:
            conversation.truncate(prefix)
        sums = dict(conversation.chars_by_owner) if keep else _prefix_sums(conversation, prefix)

        task: Any = explicit_task
        anchor_position: int | None = None
        if derive and not heartbeat:
            task, anchor_position = self._derive(conversation, session_id, reading, prefix, opening, length, request)
        owners = self._owners(conversation, session_id, reading, task, anchor_position, extends=extends)

        introduced: list[tuple[int, int]] = []
        for message, owner, standing, sighting in zip(
            reading.new, owners, reading.standing, reading.sightings, strict=True
        ):
            if message.size:
                sums[owner] = sums.get(owner, 0) + message.size
            if standing or message.size < self.settings.fingerprint_min_chars:
                continue
            if sighting is None or sighting.session_id != session_id:
                introduced.append((message.fingerprint, message.size))
            if sighting is None and not heartbeat:
                self.ledger.put(message.fingerprint, FirstSeen(session_id, owner))
        if keep:
            commands = set(reading.commands)
            for message, owner in zip(reading.new, owners, strict=True):
                conversation.append(message, owner, command=message.index in commands)
            conversation.last_task = task

        total = sum(sums.values()) + size_of_value(request.system) + self._tools_chars(conversation, request.tools)
        inherited = sum(chars for owner, chars in sums.items() if owner not in (task, FOREIGN, STANDING))
        share = ContextShare(total, inherited, sums.get(FOREIGN, 0))
        found: dict[str, AttributeValue] = {attr.CONTEXT_CHARS: total}
        if derive and task is not None:
            found[attr.TASK_ID] = task
        if introduced and not heartbeat and self.settings.fingerprints_per_span:
            largest = heapq.nlargest(self.settings.fingerprints_per_span, introduced, key=lambda item: item[1])
            found[attr.CONTEXT_INTRODUCED] = ",".join(f"{fp:016x}:{size}" for fp, size in largest)
        return found, share

    def _read(self, messages: Sequence[Any], shapes: Sequence[int], base: int, prefix: int) -> _Reading:
        """Reads the messages after the unchanged prefix: fingerprint, size, standing prompt or reset command,
        and where each was first seen."""
        reading = _Reading([], [], [])
        minimum = self.settings.fingerprint_min_chars
        for i in range(prefix - base, len(messages)):
            message = messages[i]
            role = role_of(message)
            text = text_of(message, SCAN_CHARS) if role == "user" else ""
            read = read_message(base + i, message, shapes[i], role, text)
            standing = role in STANDING_ROLES or (bool(text) and self.triggers.is_heartbeat_prompt(text))
            reading.new.append(read)
            reading.standing.append(standing)
            reading.sightings.append(None if standing or read.size < minimum else self.ledger.get(read.fingerprint))
            if text and not standing and matches(self.settings.reset_patterns, text):
                reading.commands.append(read.index)
        return reading

    def _derive(
        self,
        conversation: Conversation,
        session_id: str,
        reading: _Reading,
        prefix: int,
        opening: int,
        length: int,
        request: CallRequest,
    ) -> tuple[str | None, int | None]:
        """The derived task and the position its anchor (first message) has in this request."""
        if request.continues and conversation.task_id is not None:
            return conversation.task_id, None
        commands = [*conversation.commands, *reading.commands]
        if commands and commands[-1] > opening:
            position = commands[-1]
            anchor = command_anchor(
                _fingerprint_at(conversation, reading, position - 1), _fingerprint_at(conversation, reading, position)
            )
        elif opening < length:
            position = opening
            anchor = _fingerprint_at(conversation, reading, opening)
        else:
            return None, None
        fresh_after = prefix <= position + 1 and not any(
            sighting is not None and sighting.session_id == session_id and message.index > position
            for message, sighting in zip(reading.new, reading.sightings, strict=True)
        )
        task = current_task(
            conversation, session_id, anchor, length=length, anchor_position=position, fresh_after=fresh_after
        )
        return task, position

    def _owners(
        self,
        conversation: Conversation,
        session_id: str,
        reading: _Reading,
        task: Any,
        anchor_position: int | None,
        *,
        extends: bool,
    ) -> list[object]:
        """The task each new message belongs to. A message seen before keeps where it was first seen; a reply that
        first appears in this request belongs to the call that produced it (the previous one); a message before the
        task's anchor that nobody saw belongs to an earlier task; the rest is this call's."""
        first_prompt = next(
            (m.index for m, standing in zip(reading.new, reading.standing, strict=True) if m.text and not standing),
            None,
        )
        owners: list[object] = []
        for message, standing, sighting in zip(reading.new, reading.standing, reading.sightings, strict=True):
            if standing:
                owners.append(STANDING)
            elif sighting is not None:
                owners.append(sighting.owner if sighting.session_id == session_id else FOREIGN)
            elif extends and (first_prompt is None or message.index < first_prompt):
                owners.append(conversation.last_task)
            elif anchor_position is not None and message.index < anchor_position:
                owners.append(EARLIER)
            else:
                owners.append(task)
        return owners

    @staticmethod
    def _tools_chars(conversation: Conversation, tools: Any) -> int:
        """The tool definitions' size, measured again only when the agent sends a different definitions object."""
        if not isinstance(tools, (list, tuple)):
            return size_of_value(tools)
        key = (id(tools), len(tools))
        if conversation.tools_key != key:
            conversation.tools_key, conversation.tools_chars = key, size_of_value(tools)
        return conversation.tools_chars


def _fingerprint_at(conversation: Conversation, reading: _Reading, position: int) -> int:
    kept = len(conversation.fingerprints)
    if position < kept:
        return conversation.fingerprints[position]
    return reading.new[position - kept].fingerprint


def _prefix_sums(conversation: Conversation, prefix: int) -> dict[object, int]:
    """The chars per owner of the first `prefix` records, without changing them."""
    sums = dict(conversation.chars_by_owner)
    for owner, size in zip(conversation.owners[prefix:], conversation.sizes[prefix:], strict=True):
        if size:
            sums[owner] -= size
    return sums
