"""How zero-code attribution is configured: `AGENTCOST_*` variables, read once when the instrumentation starts.

Reading them once keeps the per-call path free of environment lookups and regex compilation. A bad value must not
stop an agent that runs under `opentelemetry-instrument`, so `load()` logs what is wrong with each variable (and how
to fix it) and keeps that variable's default; `from_env()` is the strict form that raises with every problem.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

_log = logging.getLogger(__name__)

SESSION_SOURCES = ("context", "baggage", "env", "headers", "metadata", "conversation")

# A pattern that starts with a literal is searched fast (`HEARTBEAT\b`: about 7 us in 4 KB of text); one that starts
# with `\b` or a lookbehind is tried at every position (`\bHEARTBEAT\b`: about 200 us).
DEFAULT_HEARTBEAT_PATTERNS = (r"^\s*#+\s*Heartbeat Checks\b", r"HEARTBEAT\b")
# No user pattern by default: a prompt with no marker stays untagged, so a periodic untagged call can still be
# suspected as a heartbeat by its rhythm (dashboards/heartbeat_suspected.sql) instead of being counted as work.
DEFAULT_USER_PATTERNS: tuple[str, ...] = ()
DEFAULT_RESET_PATTERNS = (r"^\s*/(?:new|reset)\b",)


class SettingsError(ValueError):
    """One or more `AGENTCOST_*` variables have values that cannot be used."""


@dataclass(frozen=True)
class AttributionSettings:
    """Every knob of zero-code attribution, with its default (see the README section for the variables)."""

    session_sources: tuple[str, ...] = SESSION_SOURCES
    session_headers: tuple[str, ...] = ("x-session-key", "x-session-id")
    session_metadata_keys: tuple[str, ...] = ("session_id", "session", "conversation_id", "user_id")
    heartbeat_patterns: tuple[re.Pattern[str], ...] = tuple(re.compile(p) for p in DEFAULT_HEARTBEAT_PATTERNS)
    user_patterns: tuple[re.Pattern[str], ...] = tuple(re.compile(p) for p in DEFAULT_USER_PATTERNS)
    reset_patterns: tuple[re.Pattern[str], ...] = tuple(re.compile(p) for p in DEFAULT_RESET_PATTERNS)
    detect_tasks: bool = True
    fingerprint_min_chars: int = 64
    ledger_size: int = 100_000
    ledger_sessions: int = 1_000
    fingerprints_per_span: int = 32

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AttributionSettings:
        """The settings the environment asks for; raises `SettingsError` naming every bad variable."""
        settings, problems = _read(os.environ if environ is None else environ)
        if problems:
            raise SettingsError("; ".join(problems))
        return settings

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None) -> AttributionSettings:
        """Like `from_env`, but a bad variable is logged and keeps its default: the agent runs on regardless."""
        settings, problems = _read(os.environ if environ is None else environ)
        for problem in problems:
            _log.error("agentcost: %s; using its default", problem)
        return settings


def _names(value: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in value.split(","))
    if any(not name for name in names):
        raise ValueError(f"has an empty name in {value!r}; write names separated by single commas")
    return names


def _sources(value: str) -> tuple[str, ...]:
    sources = _names(value)
    unknown = [source for source in sources if source not in SESSION_SOURCES]
    if unknown:
        raise ValueError(f"names unknown sources {unknown}; choose from {', '.join(SESSION_SOURCES)}")
    return sources


def _headers(value: str) -> tuple[str, ...]:
    return tuple(name.lower() for name in _names(value)) if value.strip() else ()


def _keys(value: str) -> tuple[str, ...]:
    return _names(value) if value.strip() else ()


def _patterns(value: str) -> tuple[re.Pattern[str], ...]:
    """A JSON array of regular expressions, or one regular expression (use `|` for alternatives); empty: none."""
    if not value.strip():
        return ()
    sources: Any = [value]
    if value.lstrip().startswith("["):
        try:
            sources = json.loads(value)
        except ValueError as error:
            raise ValueError(f"is not a valid JSON array of regular expressions ({error})") from None
        if not isinstance(sources, list) or not all(isinstance(source, str) for source in sources):
            raise ValueError('must be a JSON array of strings, e.g. ["^# Heartbeat", "HEARTBEAT"]')
    compiled = []
    for source in sources:
        try:
            compiled.append(re.compile(source))
        except re.error as error:
            raise ValueError(f"has an invalid regular expression {source!r} ({error})") from None
    return tuple(compiled)


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise ValueError(f"must be true or false, got {value!r}")


def _at_least(minimum: int) -> Callable[[str], int]:
    def whole_number(value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            raise ValueError(f"must be a whole number, got {value!r}") from None
        if number < minimum:
            raise ValueError(f"must be at least {minimum}, got {number}")
        return number

    return whole_number


# Variable -> (settings field, parser). A parser raises ValueError with what is wrong and how to write it.
VARIABLES: Mapping[str, tuple[str, Callable[[str], Any]]] = {
    "AGENTCOST_SESSION_SOURCES": ("session_sources", _sources),
    "AGENTCOST_SESSION_HEADERS": ("session_headers", _headers),
    "AGENTCOST_SESSION_METADATA_KEYS": ("session_metadata_keys", _keys),
    "AGENTCOST_HEARTBEAT_PATTERNS": ("heartbeat_patterns", _patterns),
    "AGENTCOST_USER_PATTERNS": ("user_patterns", _patterns),
    "AGENTCOST_TASK_RESET_PATTERNS": ("reset_patterns", _patterns),
    "AGENTCOST_DETECT_TASKS": ("detect_tasks", _flag),
    "AGENTCOST_FINGERPRINT_MIN_CHARS": ("fingerprint_min_chars", _at_least(0)),
    "AGENTCOST_LEDGER_SIZE": ("ledger_size", _at_least(1)),
    "AGENTCOST_LEDGER_SESSIONS": ("ledger_sessions", _at_least(1)),
    "AGENTCOST_FINGERPRINTS_PER_SPAN": ("fingerprints_per_span", _at_least(0)),
}


def _read(environ: Mapping[str, str]) -> tuple[AttributionSettings, list[str]]:
    values: dict[str, Any] = {}
    problems: list[str] = []
    for variable, (name, parse) in VARIABLES.items():
        raw = environ.get(variable)
        if raw is None:
            continue
        try:
            values[name] = parse(raw)
        except ValueError as error:
            problems.append(f"{variable} {error}")
    return replace(AttributionSettings(), **values), problems
