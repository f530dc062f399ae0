"""One LLM request as attribution reads it, and how each SDK's arguments map to it.

The patches build a `CallRequest` from what the SDK method was given, without copying messages: attribution reads
only the parts it needs (the last user prompt, new messages since the previous call), so building one costs a few
attribute lookups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from .messages import fields_of


class CallRequest(NamedTuple):
    """What a call sends, provider-neutral. `messages` is the conversation, oldest first; `system` and `tools` are the
    standing parts sent beside it; `headers` go from lowest to highest priority (client defaults, then the call's).
    A named tuple: one is built on every call, and a frozen dataclass's constructor costs several times more."""

    messages: Sequence[Any] = ()
    system: Any = None
    tools: Any = None
    headers: tuple[Mapping[str, Any], ...] = ()
    metadata: Mapping[str, Any] | None = None
    session_fields: tuple[Any, ...] = ()  # other request fields that name a session, best first
    conversation_id: Any = None
    continues: bool = False  # the server keeps the earlier turns (OpenAI `previous_response_id`, `conversation`)


# These run on every call, mostly on None, dicts and lists: those are told by their exact type before the slower
# ABC checks.
def _mapping(value: Any) -> Mapping[str, Any] | None:
    if value is None or type(value) is dict:
        return value
    return value if isinstance(value, Mapping) else None


def _headers(client: Any, extra: Any) -> tuple[Mapping[str, Any], ...]:
    """The client's default headers and the call's own, those that are non-empty mappings."""
    defaults = _mapping(getattr(client, "_custom_headers", None))
    extra = _mapping(extra)
    if defaults and extra:
        return (defaults, extra)
    if defaults:
        return (defaults,)
    return (extra,) if extra else ()


def _sequence(value: Any) -> Sequence[Any]:
    if type(value) is list:
        return value
    return value if isinstance(value, Sequence) and not isinstance(value, (str, bytes)) else ()


def openai_chat(client: Any, kwargs: Mapping[str, Any]) -> CallRequest:
    return CallRequest(
        messages=_sequence(kwargs.get("messages")),
        tools=kwargs.get("tools"),
        headers=_headers(client, kwargs.get("extra_headers")),
        metadata=_mapping(kwargs.get("metadata")),
        session_fields=(kwargs.get("prompt_cache_key"), kwargs.get("user")),
    )


def openai_responses(client: Any, kwargs: Mapping[str, Any]) -> CallRequest:
    given = kwargs.get("input")
    messages = [{"role": "user", "content": given}] if isinstance(given, str) else _sequence(given)
    conversation = kwargs.get("conversation")
    conversation_id = fields_of(conversation).get("id") if not isinstance(conversation, str) else conversation
    return CallRequest(
        messages=messages,
        system=kwargs.get("instructions"),
        tools=kwargs.get("tools"),
        headers=_headers(client, kwargs.get("extra_headers")),
        metadata=_mapping(kwargs.get("metadata")),
        session_fields=(kwargs.get("prompt_cache_key"), kwargs.get("user")),
        conversation_id=conversation_id,
        continues=isinstance(kwargs.get("previous_response_id"), str) or conversation_id is not None,
    )


def openai_embeddings(client: Any, kwargs: Mapping[str, Any]) -> CallRequest:
    """Only the session: an embedding has no conversation, trigger or task of its own."""
    return CallRequest(
        headers=_headers(client, kwargs.get("extra_headers")),
        session_fields=(kwargs.get("user"),),
    )


def anthropic_messages(
    body: Mapping[str, Any], headers: tuple[Mapping[str, Any], ...], conversation_id: Any
) -> CallRequest:
    """A Messages API request from its body (the method's keyword arguments, or the SDK's prepared JSON)."""
    return CallRequest(
        messages=_sequence(body.get("messages")),
        system=body.get("system"),
        tools=body.get("tools"),
        headers=headers,
        metadata=_mapping(body.get("metadata")),
        conversation_id=conversation_id,
    )


def anthropic_call(client: Any, kwargs: Mapping[str, Any]) -> CallRequest:
    """A `messages.create` / `messages.stream` call of a client whose own tracing is off."""
    options = getattr(client, "_open_telemetry", None)
    conversation_id = options.get("conversation_id") if isinstance(options, Mapping) else None
    return anthropic_messages(kwargs, _headers(client, kwargs.get("extra_headers")), conversation_id)


def anthropic_sdk_call(options: Any, default_headers: Any, conversation_id: Any) -> CallRequest | None:
    """The request behind one of the Anthropic SDK's own call spans, from its prepared request options."""
    body = getattr(options, "json_data", None)
    if not isinstance(body, Mapping):
        return None
    found = [default_headers() if callable(default_headers) else None, getattr(options, "headers", None)]
    return anthropic_messages(body, tuple(h for h in found if isinstance(h, Mapping)), conversation_id)
