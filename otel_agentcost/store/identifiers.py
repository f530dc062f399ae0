"""The one rule for names that reach SQL text: database and cluster names.

Values are always bound as query parameters, and the database name is bound too (`{database:Identifier}`), but
ClickHouse cannot bind everything: `ON CLUSTER name` takes no parameter, and a view's body keeps its placeholders
unbound. Such names are written into the statement, so they must be plain identifiers: an ASCII letter or
underscore, then letters, digits or underscores. Nothing else (no quotes, dots, dashes or spaces) is accepted.
"""

from __future__ import annotations

import re

from otel_agentcost.store.errors import StoreError

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class IdentifierError(StoreError, ValueError):
    """A database or cluster name that is not a plain identifier."""


def check_identifier(kind: str, name: str) -> str:
    """`name` unchanged when it is a plain identifier; otherwise an IdentifierError saying what is allowed."""
    if not IDENTIFIER.fullmatch(name):
        raise IdentifierError(
            f"{kind} name {name!r} is not a plain identifier: use letters, digits and underscores, "
            "starting with a letter or underscore"
        )
    return name
