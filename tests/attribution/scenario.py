"""Conversations for the attribution tests: long, distinct messages of known sizes, and the layers of a call."""

from __future__ import annotations

from otel_agentcost import attributes as attr

SYSTEM = {"role": "system", "content": "You are an operations agent for the Acme team. Be brief and exact. " * 3}
HEARTBEAT = {"role": "user", "content": "# Heartbeat Checks\n- inbox\n- calendar\n- open pull requests"}


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def assistant(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


def prompt(label: str) -> dict[str, str]:
    return user(f"{label}: please handle this request carefully and report back with the details. " * 2)


def reply(label: str) -> dict[str, str]:
    return assistant(f"{label}: done, here is what I found and what I changed along the way. " * 2)


def chars(*messages: dict[str, str]) -> int:
    return sum(len(message["content"]) for message in messages)


def layers(*, context=None, env=None):
    """The context layer's sources: `context` and `env` map attribute names to values."""
    return {"context": dict(context or {}), "baggage": {}, "env": dict(env or {})}


def in_session(session: str, **more: str):
    """A session that reached the process without code (`AGENTCOST_SESSION_ID`): tasks may be derived."""
    return layers(env={attr.SESSION_ID: session, **more})


def in_code(session: str, task: str | None = None):
    """A session (and task) the code's own scopes name."""
    values = {attr.SESSION_ID: session}
    if task is not None:
        values[attr.TASK_ID] = task
    return layers(context=values)
