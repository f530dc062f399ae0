"""Tasks recognised at call time, for sessions whose code does not name its tasks.

A task begins where the agent starts over: a conversation reset (the request no longer begins with the current
task's first message) or a reset command (`/new`, `/reset`) as a user message. The task's id is derived from the
message it began with (its anchor), `<session>/task-<8 hex digits>`:

- stable: any process, and the same process after a restart, derives the same id for the same conversation, so a
  session served by several processes still has one task per conversation;
- readable: the session it belongs to is in the id, and the hash is short;
- private: the digits are a hash of the anchor (for a command: of the command and the message before it, so that
  every `/new` starts a different task), never its text.

A reset that opens with the very same first message as an earlier task of the session (a routine prompt) is a new
task too: the process counts such repeats and appends `-2`, `-3`... These suffixes are the one thing another process
would not derive alike.
"""

from __future__ import annotations

from .conversation import Conversation

MAX_ANCHORS = 256  # per session: how many task beginnings are remembered for counting repeats
_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def command_anchor(previous: int, command: int) -> int:
    """The key of a task begun by a command: the command combined with the message it followed."""
    return ((previous * _GOLDEN) & _MASK) ^ command


def task_id(session_id: str, anchor: int, occurrence: int) -> str:
    base = f"{session_id}/task-{anchor >> 32:08x}"
    return base if occurrence == 1 else f"{base}-{occurrence}"


def current_task(
    conversation: Conversation, session_id: str, anchor: int, *, length: int, anchor_position: int, fresh_after: bool
) -> str:
    """The derived task of a call whose task begins at `anchor_position` with key `anchor`.

    `fresh_after` says that no message after the anchor was seen before in this session: with the same anchor
    as the current task, and the previous call having had more messages after it, the agent started over.
    """
    if anchor == conversation.anchor and conversation.task_id is not None:
        started_over = fresh_after and conversation.task_extent > anchor_position + 1
        if not started_over:
            conversation.task_extent = length
            return conversation.task_id
        occurrence = conversation.occurrences.get(anchor, 1) + 1
    else:
        seen = conversation.occurrences.get(anchor)
        resumed = seen is not None and not fresh_after  # back to an earlier task's conversation
        occurrence = seen if resumed and seen is not None else (seen or 0) + 1
    _remember(conversation, anchor, occurrence)
    conversation.anchor = anchor
    conversation.task_id = task_id(session_id, anchor, occurrence)
    conversation.task_extent = length
    return conversation.task_id


def _remember(conversation: Conversation, anchor: int, occurrence: int) -> None:
    occurrences = conversation.occurrences
    occurrences.pop(anchor, None)
    occurrences[anchor] = occurrence
    if len(occurrences) > MAX_ANCHORS:
        del occurrences[next(iter(occurrences))]
