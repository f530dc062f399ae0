"""What can go wrong when reaching the store, as exceptions whose message is one line a user can act on.

The command line prints `str(error)` of any `StoreError` and exits 2, so each message names what was wrong and
the fix; the underlying driver exception stays available as `__cause__` for logs.
"""

from __future__ import annotations


class StoreError(Exception):
    """The store could not do what was asked; the message says what and how to fix it."""


class StoreURLError(StoreError, ValueError):
    """A store URL that is not one of the accepted forms."""


class StoreUnavailableError(StoreError):
    """The store cannot be opened: chDB not installed, its directory owned by another process, server unreachable."""


class SchemaMissingError(StoreError):
    """The database or a table the query needs does not exist yet: `otel-agentcost db init` creates them."""


class QueryError(StoreError):
    """ClickHouse refused a statement (bad SQL, a bad parameter value, a failed insert)."""
