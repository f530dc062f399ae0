"""Agents writing straight into a chDB directory (the in-process ClickHouse exporter) while the store stops and
comes back: another process holding the directory is a real outage for them (chDB lets one process own it).
Every span ends up in otel_traces exactly once, including those a previous agent process left in the spool."""

from __future__ import annotations

from chdb_owner import held_by_another_process
from spool_support import Agent, copies_per_span, wait_for


def test_spans_survive_a_chdb_outage_and_an_agent_restart_and_are_stored_once(tmp_path):
    store, spool = tmp_path / "chdb", tmp_path / "spool"
    url = f"chdb:{store}"
    sent: list[str] = []
    with held_by_another_process(store):
        agent = Agent(spool, url)
        sent += agent.emit(10, "while-down")
        wait_for(lambda: agent.stats()["spooled"] == 10, "the spans to reach the spool")
    sent += agent.emit(10, "after-restart")
    assert agent.flush()
    assert agent.exit()["dropped"] == {}

    with held_by_another_process(store):
        leaving = Agent(spool, url)
        sent += leaving.emit(10, "left-behind")
        assert leaving.exit()["spooled"] == 10  # the store was down for the whole of its life
    successor = Agent(spool, url)
    sent += successor.emit(5, "successor")
    assert successor.flush()
    successor.exit()

    assert copies_per_span(url) == dict.fromkeys(sent, 1)
    assert not list(spool.glob("*.spans"))
