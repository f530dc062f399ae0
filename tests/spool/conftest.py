"""Fixtures of the spool tests (the helpers they use are in spool_support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from spool_support import OtlpEndpoint


@pytest.fixture
def endpoint() -> Iterator[OtlpEndpoint]:
    server = OtlpEndpoint()
    server.start()
    yield server
    server.released.set()
    if server._server is not None:
        server.stop()
