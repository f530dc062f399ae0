"""What triggered a call, recognised from its prompt: a heartbeat check, or a user.

Only two places are read, so the cost does not grow with the conversation: the prompt that caused the call (the
latest user message that has text; tool results are skipped, so every step of a tool loop keeps its trigger) and
the first line of the system prompt (a call whose whole system prompt is a heartbeat checklist). Each is cut to
`SCAN_CHARS`. The system prompt is read by its first line only because agents' standing prompts describe heartbeats
(and say `HEARTBEAT`) on every call.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .messages import STANDING_ROLES, fields_of, role_of, text_of, text_parts
from .requests import CallRequest
from .settings import AttributionSettings

SCAN_CHARS = 4096

HEARTBEAT = "heartbeat"
USER = "user"


def matches(patterns: Sequence[re.Pattern[str]], text: str) -> bool:
    return any(pattern.search(text) for pattern in patterns)


def prompt_text(messages: Sequence[Any]) -> str:
    """The text of the latest user message that has any (the prompt this call answers); '' when none has."""
    for message in reversed(messages):
        if type(message) is dict and type(content := message.get("content")) is str:
            # The common message, a dict with text content, read inline: this runs on every call.
            if content and (message.get("role") or message.get("type")) == "user":
                return content[:SCAN_CHARS]
        elif role_of(message) == "user" and (text := text_of(message, SCAN_CHARS)):
            return text
    return ""


def standing_prompt(request: CallRequest) -> Any:
    """The system prompt: the request's own field, or a leading system / developer message's content."""
    if request.system is not None or not request.messages:
        return request.system
    first = request.messages[0]
    if type(first) is dict:  # the common message, read inline: this runs on every call
        role = first.get("role") or first.get("type")
        return first.get("content") if isinstance(role, str) and role in STANDING_ROLES else None
    return fields_of(first).get("content") if role_of(first) in STANDING_ROLES else None


def first_line(standing: Any) -> str:
    first = standing if isinstance(standing, str) else next(text_parts(standing), "")
    return first[:SCAN_CHARS].lstrip().split("\n", 1)[0]


class TriggerDetector:
    """Recognises heartbeats first, then user prompts, with the patterns compiled once in the settings.

    Agents send the same system prompt string object on every call, so the verdict on the latest one is kept (with a
    reference to it, so that its identity cannot be reused); blocks (lists) may be edited in place and are read anew.
    The latest prompt text's verdicts are kept the same way: a tool loop's steps answer the same user message.
    """

    def __init__(self, settings: AttributionSettings) -> None:
        self._heartbeat = settings.heartbeat_patterns
        self._user = settings.user_patterns
        self._last_standing: tuple[object, bool] = (None, False)
        self._last_prompt: tuple[str | None, bool, bool] = (None, False, False)  # text, heartbeat, user

    def is_heartbeat_prompt(self, text: str) -> bool:
        return matches(self._heartbeat, text)

    def _standing_is_heartbeat(self, request: CallRequest) -> bool:
        standing = standing_prompt(request)
        last, verdict = self._last_standing
        if standing is last and isinstance(standing, str):
            return verdict
        verdict = matches(self._heartbeat, first_line(standing))
        if isinstance(standing, str):
            self._last_standing = (standing, verdict)
        return verdict

    def detect(self, request: CallRequest) -> str | None:
        """`heartbeat`, `user`, or None when nothing in the prompt says."""
        prompt = prompt_text(request.messages)
        last, heartbeat, user = self._last_prompt
        if prompt is not last:
            heartbeat = matches(self._heartbeat, prompt)
            user = bool(prompt) and matches(self._user, prompt)
            self._last_prompt = (prompt, heartbeat, user)
        if heartbeat or self._standing_is_heartbeat(request):
            return HEARTBEAT
        return USER if user else None
