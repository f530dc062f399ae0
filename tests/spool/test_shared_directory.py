"""Two agent processes started on one spool directory (same destination, same settings) share out its files:
each file is delivered by one of them, so every span arrives exactly once."""

from __future__ import annotations

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from spool_support import Agent, make_spans, span_ids, wait_for

from otel_agentcost.spool import SpoolingSpanExporter


def test_two_processes_on_one_spool_deliver_each_file_once(endpoint, tmp_path):
    spool = tmp_path / "spool"
    endpoint.stop()
    left = SpoolingSpanExporter(OTLPSpanExporter(endpoint=endpoint.url, timeout=0.5), directory=spool,
                                shutdown_seconds=0, initial_backoff=0.01, max_backoff=0.05)  # fmt: skip
    batches = [make_spans(3, f"b{n}") for n in range(40)]
    for batch in batches:
        left.export(batch)
    left.shutdown()
    assert len(list(spool.glob("*.spans"))) == 40

    endpoint.released.clear()
    endpoint.start()
    agents = [Agent(spool, endpoint.url, "60"), Agent(spool, endpoint.url, "60")]  # held requests never time out
    # Both processes are delivering a file at the same moment: the store holds a request from each.
    wait_for(lambda: endpoint.held >= 2, "both agents to be delivering")
    endpoint.released.set()
    assert all(agent.flush() for agent in agents)
    delivered = [agent.exit()["delivered"] for agent in agents]
    assert sorted(endpoint.received) == sorted(span_ids([span for batch in batches for span in batch]))
    assert sum(delivered) == 120 and min(delivered) > 0
