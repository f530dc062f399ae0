"""The agent's call latency while its store is up, down and slow: the spool keeps calls at full speed.

    python bench/spool.py [--quick] [--calls 1000] [--rounds 2] [--out FILE]

An agent process as `agentcost.init()` builds it (the SDK's batch processor over the spool over the OTLP/HTTP
exporter, the instrumentor on the real openai SDK) calls the stand-in LLM server (otel_agentcost.standin) on
127.0.0.1. The OTLP endpoint it exports to is, in turn:

- up: `otel-agentcost serve` (a separate process storing into chDB);
- down: nothing listening (every delivery is refused; batches go to the spool on disk);
- slow: a socket that accepts connections and never answers (every delivery waits for the exporter's timeout).

Conditions alternate in blocks of `--calls` calls, `--rounds` times, so that drift in the machine's load falls on
all of them; the ratios compare medians of the same run. At the end `serve` runs again and the spool delivers
what the down and slow blocks left: the spans delivered, spooled and dropped are reported.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from openai import OpenAI
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from otel_agentcost.instrumentation import AgentCostInstrumentor
from otel_agentcost.spool import SpoolingSpanExporter
from otel_agentcost.standin import StandinLLM

CONDITIONS = ("up", "down", "slow")
MESSAGES = [{"role": "system", "content": "You triage issues."}, {"role": "user", "content": "Status of T-7?"}]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def serve(store: Path, port: int) -> Iterator[None]:
    command = [sys.executable, "-m", "otel_agentcost.cli", "serve", "--store", f"chdb:{store}", "--port", str(port)]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        while not listening(port):
            if process.poll() is not None:
                raise RuntimeError(f"serve exited with {process.returncode}")
            time.sleep(0.05)
        yield
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(60)


@contextmanager
def silent(port: int) -> Iterator[None]:
    """Accepts connections (the kernel completes them) and never reads or answers."""
    with socket.create_server(("127.0.0.1", port), backlog=128):
        yield


@contextmanager
def store(condition: str, directory: Path, port: int) -> Iterator[None]:
    if condition == "up":
        with serve(directory / "chdb", port):
            yield
    elif condition == "slow":
        with silent(port):
            yield
    else:
        yield


def timed_calls(client: OpenAI, calls: int) -> list[float]:
    """Microseconds per call, as the agent sees them."""
    timings = []
    for _ in range(calls):
        start = time.perf_counter_ns()
        client.chat.completions.create(model="gpt-5-mini", messages=MESSAGES)
        timings.append((time.perf_counter_ns() - start) / 1000)
    return timings


def settle(provider: TracerProvider, exporter: SpoolingSpanExporter, condition: str) -> None:
    """Hands the block's spans to the spool, and with the store up waits until it has them, so that each block's
    spans meet the store of their own condition (not timed)."""
    provider.force_flush()
    if condition == "up":
        exporter.force_flush(120_000)


def run(calls: int, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as temporary, StandinLLM() as llm:
        directory, port = Path(temporary), free_port()
        otlp = OTLPSpanExporter(endpoint=f"http://127.0.0.1:{port}/v1/traces")
        exporter = SpoolingSpanExporter(otlp, directory=directory / "spool", max_backoff=2.0)
        provider = TracerProvider(resource=Resource.create({"service.name": "bench-spool"}))
        provider.add_span_processor(BatchSpanProcessor(exporter))
        instrumentor = AgentCostInstrumentor()
        instrumentor.instrument(tracer_provider=provider)
        client = OpenAI(base_url=llm.openai_base_url, api_key="bench", max_retries=0)
        timings: dict[str, list[float]] = {condition: [] for condition in CONDITIONS}
        try:
            with store("up", directory, port):
                timed_calls(client, min(calls, 200))  # warm-up: imports, connections, caches
                settle(provider, exporter, "up")
            for _ in range(rounds):
                for condition in CONDITIONS:
                    with store(condition, directory, port):
                        timings[condition] += timed_calls(client, calls)
                        settle(provider, exporter, condition)
            with serve(directory / "chdb", port):
                provider.force_flush()
                delivered_all = exporter.force_flush(120_000)
        finally:
            instrumentor.uninstrument()
            provider.shutdown()
        total = len(llm.requests)
    return report(timings, calls, rounds, exporter, total, delivered_all)


def report(
    timings: dict[str, list[float]],
    calls: int,
    rounds: int,
    exporter: SpoolingSpanExporter,
    total: int,
    delivered_all: bool,
) -> dict[str, Any]:
    up = statistics.median(timings["up"])
    rows = []
    for condition, values in timings.items():
        median = statistics.median(values)
        p99 = statistics.quantiles(values, n=100)[98]
        rows.append([condition, len(values), round(median, 1), round(p99, 1), round(median / up, 3)])
    return {
        "title": "Agent call latency with the store up, down and slow (spool on)",
        "columns": ["store", "calls", "median_us", "p99_us", "median_vs_up"],
        "rows": rows,
        "notes": [
            f"openai SDK -> stand-in server on 127.0.0.1, one span per call; {rounds} round(s) of {calls} calls per "
            "condition, alternating up/down/slow in one process; ratios are medians of the same run",
            "up: otel-agentcost serve (chDB) on the OTLP endpoint; down: nothing listening; slow: a socket that "
            "accepts and never answers (the OTLP exporter's 10 s timeout); serve shares the machine's cores with "
            "the agent while up, which is part of what the up figures measure",
            f"spans: {total} calls made, {exporter.delivered_spans} delivered to serve, {exporter.spooled_spans} "
            f"went through the on-disk spool, {exporter.dropped_spans} dropped; everything delivered at the end: "
            f"{delivered_all}",
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a small run for a smoke check")
    parser.add_argument("--calls", type=int, default=1000, help="calls per block (default 1000)")
    parser.add_argument("--rounds", type=int, default=2, help="blocks per condition (default 2)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    options = parser.parse_args()
    calls, rounds = (200, 1) if options.quick else (options.calls, options.rounds)
    result = run(calls, rounds)
    print(json.dumps(result, indent=1))
    if options.out:
        options.out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
