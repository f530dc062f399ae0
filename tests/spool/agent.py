"""An agent process for the spool tests: spans through the SDK's batch processor and the spool to a real store.

`python agent.py SPOOL_DIR TARGET [TIMEOUT]`, TARGET an OTLP/HTTP traces URL (TIMEOUT: the OTLP exporter's, in
seconds, default 0.5) or a store URL (then the in-process ClickHouse exporter). It reads one command per line on
stdin and answers each with one line on stdout:
  emit N NAME   the ids (hex) of N new spans, once the batch processor has handed them to the spool
  flush         the spool's force_flush result (True once everything is delivered)
  stats         the spool's counters as JSON
  exit          shuts the provider down (the spool's bounded shutdown), answers the counters, exits
"""

from __future__ import annotations

import json
import sys

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

from otel_agentcost.spool import SpoolingSpanExporter
from otel_agentcost.store.exporter import ClickHouseSpanExporter

FAST = {"initial_backoff": 0.01, "max_backoff": 0.1, "rescan_seconds": 0.05, "shutdown_seconds": 10}


def target_exporter(target: str, timeout: float) -> SpanExporter:
    if target.endswith("/v1/traces"):
        return OTLPSpanExporter(endpoint=target, timeout=timeout)
    return ClickHouseSpanExporter(target)


def counters(spool: SpoolingSpanExporter) -> str:
    return json.dumps(
        {"delivered": spool.delivered_spans, "spooled": spool.spooled_spans, "dropped": spool.dropped_by_reason}
    )


def main(directory: str, target: str, timeout: str = "0.5") -> None:
    spool = SpoolingSpanExporter(target_exporter(target, float(timeout)), directory=directory, **FAST)
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(spool))
    tracer = provider.get_tracer("spool-agent")
    for line in sys.stdin:
        command, *arguments = line.split()
        if command == "emit":
            ids = []
            for index in range(int(arguments[0])):
                with tracer.start_as_current_span(f"{arguments[1]}-{index}") as span:
                    ids.append(f"{span.get_span_context().span_id:016x}")
            provider.force_flush()
            answer = " ".join(ids)
        elif command == "flush":
            answer = str(spool.force_flush(60_000))
        elif command == "stats":
            answer = counters(spool)
        else:
            provider.shutdown()
            print(counters(spool), flush=True)
            return
        print(answer, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
