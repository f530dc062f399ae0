"""Another process holding a chDB directory: what an agent or a command meets when the store is owned elsewhere
(chDB lets one process own a directory), a real outage for whoever tries to open it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def held_by_another_process(path: Path) -> Iterator[int]:
    """Yields the owner's pid while it holds `path` open; the directory is free again after the block."""
    owner = subprocess.Popen(
        [sys.executable, "-c", "import sys; from otel_agentcost.store import open_store; "
         "s = open_store(sys.argv[1]); print('open', flush=True); sys.stdin.read(); s.close()", f"chdb:{path}"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert owner.stdout is not None and owner.stdout.readline() == "open\n"
        yield owner.pid
    finally:
        owner.communicate("", timeout=60)
