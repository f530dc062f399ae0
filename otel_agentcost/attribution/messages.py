"""Reading one message of a request, whatever SDK shaped it: its role, its text, its size and its fingerprint.

Messages arrive as dicts (OpenAI chat, Anthropic messages, Responses input items) or as the SDKs' own pydantic
models passed back into the next request. A fingerprint is a 64-bit hash of the message's content without its role
and without `cache_control` markers, which agents move from message to message between calls; the content itself
is never kept. A message's size is the length of what its fingerprint hashes: the text of a plain message, else its
compact JSON, with each image or file counted as MEDIA_CHARS (its base64 bytes say nothing of its tokens).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

STANDING_ROLES = frozenset({"system", "developer"})
_EMPTY: Mapping[str, Any] = {}
_SKIPPED_KEYS = frozenset({"role", "cache_control"})
# What an image or file counts for in a request's size, whatever its bytes: providers bill an image as a fixed-ish
# number of tokens (about 1,500), which is about this many characters of text.
MEDIA_CHARS = 6000


def fields_of(item: Any) -> Mapping[str, Any]:
    """A message or block as a mapping: itself, or a pydantic model's fields (kept in its `__dict__`)."""
    if type(item) is dict or isinstance(item, Mapping):  # the exact type first: the ABC check is slow
        return item
    values = getattr(item, "__dict__", None)
    return values if type(values) is dict else _EMPTY


def role_of(message: Any) -> str:
    """The message's role; Responses items without one (`function_call_output`, ...) are named by their type."""
    values = fields_of(message)
    role = values.get("role") or values.get("type")
    return role if isinstance(role, str) else ""


def text_parts(content: Any) -> Iterator[str]:
    """The text of a content value: the string itself, or the `text` of each text block (not tool results)."""
    if isinstance(content, str):
        yield content
        return
    if isinstance(content, Sequence):
        for block in content:
            if isinstance(block, str):
                yield block
                continue
            text = fields_of(block).get("text")
            if isinstance(text, str):
                yield text


def text_of(message: Any, limit: int) -> str:
    """The message's text, at most `limit` characters: patterns only need to see how a prompt starts."""
    content = fields_of(message).get("content")
    if type(content) is str:
        return content[:limit]
    parts: list[str] = []
    remaining = limit
    for part in text_parts(content):
        parts.append(part[:remaining])
        remaining -= len(parts[-1])
        if remaining <= 0:
            break
    return "".join(parts)


def _blocks_length(blocks: Sequence[Any]) -> int:
    """A length summary of content blocks: each text block's text, each tool result's content, else the number of
    fields (a tool call's arguments are not edited between calls; a tool result may be pruned)."""
    total = len(blocks)
    for block in blocks:
        if type(block) is not dict:  # the exact type first: this runs for every block of every message
            if isinstance(block, str):
                total += len(block)
                continue
            block = fields_of(block)
        text = block.get("text")
        if type(text) is str:
            total += len(text)
            continue
        inner = block.get("content")
        total += len(inner) if isinstance(inner, (str, list, tuple)) else len(block)
    return total


def _value_length(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (list, tuple)):
        return _blocks_length(value)
    return 0 if value is None else 1


def shape_of(message: Any) -> int:
    """A cheap summary (role and lengths, no hashing of content) that tells whether the message at a position changed
    since the previous call; only a message whose shape changed is read again."""
    values = fields_of(message)
    content = values.get("content")
    if type(content) is str:
        length = len(content)
    elif isinstance(content, (list, tuple)):
        length = _blocks_length(content)
    else:  # tool calls, Responses items: their other fields
        length = sum(_value_length(value) for value in values.values())
    return hash((values.get("role"), length, len(values)))


def shapes_of(messages: Sequence[Any]) -> list[int]:
    """`shape_of` of every message; the plain dict with text content (most messages) is summarised inline, since
    this runs over the whole conversation on every call."""
    return [
        hash((message.get("role"), len(content), len(message)))
        if type(message) is dict and type(content := message.get("content")) is str
        else shape_of(message)
        for message in messages
    ]


def _without_markers(value: Any, media: list[int]) -> Any:
    """JSON-ready `value`, without roles and cache markers and with SDK models as their fields; the lengths of media
    payloads (base64 `data`, `data:` URLs) are noted in `media`."""
    values = fields_of(value)
    if values is not _EMPTY:
        found = {}
        for key, inner in values.items():
            if key in _SKIPPED_KEYS:
                continue
            if isinstance(inner, str) and len(inner) > MEDIA_CHARS and (key == "data" or inner.startswith("data:")):
                media.append(len(inner))
            found[key] = _without_markers(inner, media)
        return found
    if isinstance(value, (list, tuple)):
        return [_without_markers(item, media) for item in value]
    return value


def canonical_and_size(message: Any) -> tuple[str, int]:
    """What the fingerprint hashes (the text of a plain message, else its compact JSON) and the message's size: its
    length, except that an image or file counts MEDIA_CHARS whatever its bytes."""
    values = fields_of(message)
    content = values.get("content")
    if type(content) is str and len(values) == 1 + ("role" in values):
        return content, len(content)
    media: list[int] = []
    text = json.dumps(
        _without_markers(message, media), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return text, len(text) - sum(media) + MEDIA_CHARS * len(media)


def fingerprint_of(text: str) -> int:
    """A 64-bit fingerprint: enough to tell 100,000 messages apart (a collision chance near 1 in 10^9)."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def size_of_value(value: Any) -> int:
    """The size of a standing part of the request (system prompt, tool definitions) counted like a message."""
    if value is None:
        return 0
    if isinstance(value, str):
        return len(value)
    return canonical_and_size(value)[1]
