"""Masking values that look like credentials in captured prompt and completion content.

Agents paste keys into prompts, tools echo `.env` files back, and models repeat both. Once a key is in a span it is
in ClickHouse, in Grafana and in every export, so content is masked before it is set on a span, never later. The
patterns favour catching a secret over keeping text intact: a false positive costs a few characters of a prompt,
a false negative leaks a credential. Each match becomes `[REDACTED:<kind>]`, so a reader sees what was there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Names whose value is a secret, in `name=value`, `name: value`, `"name": "value"` and as a JSON object key.
_SECRET_NAMES = (
    r"api[_-]?key|apikey|x-api-key|secret(?:[_-]?key)?|client[_-]?secret|access[_-]?token|auth[_-]?token"
    r"|refresh[_-]?token|password|passwd|pwd|private[_-]?key|aws[_-]?secret[_-]?access[_-]?key"
)
_SECRET_NAME = re.compile(rf"(?i)^(?:{_SECRET_NAMES})$")

# (kind, pattern). A pattern with a group `keep` keeps that text and masks the rest of the match.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private_key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.S)),
    ("anthropic_key", re.compile(r"\bsk-ant-[A-Za-z0-9_\-]{8,}")),
    ("openai_key", re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}")),
    ("aws_access_key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("github_token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})")),
    ("slack_token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("google_api_key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}")),
    (
        "authorization",
        re.compile(
            r"(?i)(?P<keep>\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)(?!\[REDACTED)"
            r"(?:(?:bearer|basic|digest|token)\s+)?[^\s\"',;&}\]]+"
        ),
    ),
    # A bearer token has a digit and some length, so that prose ("the bearer of bad news") is left alone.
    ("bearer_token", re.compile(r"(?i)(?P<keep>\bbearer\s+)(?=[A-Za-z0-9\-._~+/]*\d)[A-Za-z0-9\-._~+/]{12,}=*")),
    (
        "secret",
        re.compile(rf"(?i)(?P<keep>\b(?:{_SECRET_NAMES})[\"']?\s*[:=]\s*[\"']?)(?!\[REDACTED)[^\s\"',;&}}\]]+"),
    ),
)


def _masker(kind: str) -> Any:
    def mask(match: re.Match[str]) -> str:
        keep = match.groupdict().get("keep") or ""
        return f"{keep}[REDACTED:{kind}]"

    return mask


_MASKERS = tuple((pattern, _masker(kind)) for kind, pattern in PATTERNS)


def redact_text(text: str) -> str:
    """`text` with every credential-looking value replaced by `[REDACTED:<kind>]`."""
    for pattern, mask in _MASKERS:
        text = pattern.sub(mask, text)
    return text


def redact(value: Any) -> Any:
    """A copy of a JSON-like value with its strings redacted, and the whole value of any key named like a secret."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {
            key: "[REDACTED:secret]" if _is_secret_entry(key, item) else redact(item) for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [redact(item) for item in value]
    return value


def _is_secret_entry(key: object, value: object) -> bool:
    return isinstance(key, str) and isinstance(value, (str, int)) and bool(_SECRET_NAME.match(key))
