"""Deterministic filler text of a given size in tokens, for the messages whose size the stand-in counts.

The stand-in counts about four characters a token, so a message meant to weigh N tokens is about 4N characters.
The words come from a seeded random generator: the same fleet sends the same bytes every run.
"""

from __future__ import annotations

import random

CHARS_PER_TOKEN = 4
_WORDS = (
    "request", "handler", "retry", "timeout", "cursor", "page", "order", "invoice", "ledger", "schema", "index",
    "migration", "queue", "worker", "lease", "claim", "review", "branch", "commit", "test", "fixture", "assert",
    "deploy", "rollback", "metric", "span", "token", "budget", "client", "server", "config", "secret", "cache",
    "stale", "merge", "conflict", "lint", "module", "import", "return", "raise", "await", "async", "batch",
)  # fmt: skip


def filler(rng: random.Random, tokens: int, heading: str) -> str:
    """`heading`, then numbered lines of words, about `tokens` tokens in all."""
    target = tokens * CHARS_PER_TOKEN
    lines = [heading]
    size = len(heading)
    while size < target:
        line = f"{len(lines):04d} " + " ".join(rng.choice(_WORDS) for _ in range(12))
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)
