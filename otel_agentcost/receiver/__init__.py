"""The local OTLP/HTTP receiver behind `otel-agentcost serve`: agents send spans, one process stores them.

A request is acknowledged once journalled on disk (journal.py) and stored from there (writer.py), exactly once even
across SIGKILL; beyond loopback a token guards it (auth.py), and each client address is rate-bound (ratelimit.py).

`serve()` runs it (blocking, on uvicorn); `create_app()` builds the Starlette app around an open store, for tests
and for embedding beside other routes.
"""

from __future__ import annotations

from otel_agentcost.receiver.app import create_app
from otel_agentcost.receiver.server import RemoteListenRefused, serve

__all__ = ["RemoteListenRefused", "create_app", "serve"]
