"""Agents writing straight into a chDB directory (the in-process ClickHouse exporter) while the store stops and
comes back: another process holding the directory is a real outage for them (chDB lets one process own it).
Every span ends up in otel_traces exactly once, including those a previous agent process left in the spool."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from spool_support import Agent, copies_per_span, wait_for


@contextmanager
def directory_held(path: Path) -> Iterator[None]:
    """Another process owns the chDB directory for the duration: the store is down for the agents."""
    owner = subprocess.Popen(
        [sys.executable, "-c", "import sys; from otel_agentcost.store import open_store; "
         "s = open_store(sys.argv[1]); print('open', flush=True); sys.stdin.read(); s.close()", f"chdb:{path}"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert owner.stdout is not None and owner.stdout.readline() == "open\n"
        yield
    finally:
        owner.communicate("", timeout=60)


def test_spans_survive_a_chdb_outage_and_an_agent_restart_and_are_stored_once(tmp_path):
    store, spool = tmp_path / "chdb", tmp_path / "spool"
    url = f"chdb:{store}"
    sent: list[str] = []
    with directory_held(store):
        agent = Agent(spool, url)
        sent += agent.emit(10, "while-down")
        wait_for(lambda: agent.stats()["spooled"] == 10, "the spans to reach the spool")
    sent += agent.emit(10, "after-restart")
    assert agent.flush()
    assert agent.exit()["dropped"] == {}

    with directory_held(store):
        leaving = Agent(spool, url)
        sent += leaving.emit(10, "left-behind")
        assert leaving.exit()["spooled"] == 10  # the store was down for the whole of its life
    successor = Agent(spool, url)
    sent += successor.emit(5, "successor")
    assert successor.flush()
    successor.exit()

    assert copies_per_span(url) == dict.fromkeys(sent, 1)
    assert not list(spool.glob("*.spans"))
