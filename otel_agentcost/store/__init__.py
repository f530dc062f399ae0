"""Where spans are kept: ClickHouse, as a server (http/https) or embedded in-process (chDB), behind one Store.

Importing this package is cheap and never imports chDB or the ClickHouse driver: a backend is loaded only when a
store of its kind is opened, so instrumented agents that export over OTLP pay nothing for it.
"""

from __future__ import annotations

from otel_agentcost.store.columns import SpanRow
from otel_agentcost.store.errors import (
    QueryError,
    SchemaMissingError,
    StoreError,
    StoreUnavailableError,
    StoreURLError,
)
from otel_agentcost.store.interface import Store
from otel_agentcost.store.url import STORE_ENV, StoreURL, default_store_url, parse_store_url

__all__ = [
    "STORE_ENV",
    "QueryError",
    "SchemaMissingError",
    "SpanRow",
    "Store",
    "StoreError",
    "StoreURL",
    "StoreURLError",
    "StoreUnavailableError",
    "default_store_url",
    "open_store",
    "parse_store_url",
]


def open_store(url: str | StoreURL | None = None) -> Store:
    """Open the store at `url` (default: `AGENTCOST_STORE`, else the embedded default directory)."""
    parsed = url if isinstance(url, StoreURL) else parse_store_url(url)
    if parsed.embedded:
        from otel_agentcost.store.embedded import open_embedded

        return open_embedded(parsed)
    from otel_agentcost.store.server import open_server

    return open_server(parsed)
