"""Which session a call belongs to, from the first source in the configured order that names one.

The code's own scope, baggage and `AGENTCOST_SESSION_ID` are explicit choices and are recorded as given. Request
headers, metadata and conversation ids come from whatever the agent happens to send, and gateways often put
credentials there (`x-session-key` may be a bearer token), so a value that looks like a secret is recorded only as
`sha256:<16 hex digits>`: stable, so it still groups the session's calls, but not reversible.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any, NamedTuple

from .. import attributes as attr
from .requests import CallRequest
from .settings import AttributionSettings

_SECRET_PREFIX = re.compile(
    r"(?i)^(?:bearer|basic|token)\s|^(?:sk|pk|rk)[-_]|^(?:ghp|gho|ghs|ghu|github_pat)_|^xox[abpr]-|^AKIA|^AIza|^eyJ"
)
_UUID = re.compile(r"(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_TOKEN_RUN = re.compile(r"[A-Za-z0-9+/=]{24,}")
_MIN_ENTROPY_BITS = 3.0  # per character: random hex runs have ~3.7, base64 more, a repeated pattern less
_MAX_LENGTH = 256  # longer values are hashed whatever they look like: no session id needs more

# Sources whose values the agent sent in the request rather than chose for attribution.
_REQUEST_SOURCES = frozenset({"headers", "metadata", "conversation"})


class Session(NamedTuple):
    session_id: str
    source: str  # one of settings.SESSION_SOURCES


def looks_secret(value: str) -> bool:
    """A credential-like value: a known key or token prefix, or a run of 24+ random-looking characters (UUIDs are
    ids, not secrets)."""
    if len(value) > _MAX_LENGTH or _SECRET_PREFIX.search(value):
        return True
    if _UUID.match(value):
        return False
    return any(_random_looking(run) for run in _TOKEN_RUN.findall(value))


def _random_looking(run: str) -> bool:
    """Random tokens mix digits and letters; a long run of words (camelCase ids) does not."""
    has_digit = any(c.isdigit() for c in run)
    has_letter = any(c.isalpha() for c in run)
    return has_digit and has_letter and _entropy(run) >= _MIN_ENTROPY_BITS


def _entropy(text: str) -> float:
    counts = Counter(text).values()
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts)


def hashed(value: str) -> str:
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def recordable(value: str) -> str:
    """`value` as it may be stored: hashed when it looks like a secret."""
    return hashed(value) if looks_secret(value) else value


def _text(value: Any) -> str | None:
    if value is None:  # what most sources hold on most calls
        return None
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _from_headers(request: CallRequest, names: tuple[str, ...]) -> str | None:
    """The first configured header present, the call's own headers winning over the client's defaults."""
    if not request.headers:
        return None
    # One pass over the headers (an SDK's defaults are a dozen), each key lowered once, then the names by priority.
    wanted = frozenset(names)
    first: dict[str, str] = {}  # name -> its first value with text, the call's own headers first
    for headers in reversed(request.headers):
        for key, value in headers.items():
            if not isinstance(key, str) or (name := key.lower()) not in wanted or name in first:
                continue
            if found := _text(value):
                first[name] = found
    return next((first[name] for name in names if name in first), None)


def _from_metadata(request: CallRequest, keys: tuple[str, ...]) -> str | None:
    metadata = request.metadata
    if metadata:
        for key in keys:
            if found := _text(metadata.get(key)):
                return found
    for candidate in request.session_fields:
        if candidate is not None and (found := _text(candidate)):
            return found
    return None


def resolve(
    settings: AttributionSettings, layers: Mapping[str, Mapping[str, Any]], request: CallRequest | None
) -> Session | None:
    """The session from the first source that has one. `layers` holds the attributes of the context layer's own
    sources by name (`context`, `baggage`, `env`); request sources are read only when the call has a request."""
    for source in settings.session_sources:
        if source in _REQUEST_SOURCES:
            if request is None:
                continue
            if source == "headers":
                found = _from_headers(request, settings.session_headers)
            elif source == "metadata":
                found = _from_metadata(request, settings.session_metadata_keys)
            else:
                found = _text(request.conversation_id)
            if found:
                return Session(recordable(found), source)
        elif (layer := layers.get(source)) and (found := _text(layer.get(attr.SESSION_ID))):
            return Session(found, source)
    return None
