"""The agent's call latency while its store is up, down and slow: the spool keeps calls at full speed.

    python bench/spool.py [--quick] [--calls 200] [--rounds 10] [--out FILE]

An agent process as `agentcost.init()` builds it (the SDK's batch processor over the spool over the OTLP/HTTP
exporter, the instrumentor on the real openai SDK) calls the stand-in LLM server (otel_agentcost.standin) on
127.0.0.1. Its OTLP endpoint is a switch (a child process of this script) that, on command, is:

- up: a pass-through to `otel-agentcost serve` (a separate process storing into chDB);
- down: not listening (every delivery is refused; batches go to the spool on disk);
- slow: accepting connections and never answering (every delivery waits for the exporter's timeout).

Switching closes every open connection, so a change of state is seen at once. The conditions alternate in blocks of
`--calls` calls, `--rounds` times, so that the load of a shared machine falls on all of them alike; the ratios
compare medians of the same run. At the end the switch passes through again and the spool delivers what the down
and slow blocks left: the spans delivered, spooled and dropped are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CONDITIONS = ("up", "down", "slow")
MESSAGES = [{"role": "system", "content": "You triage issues."}, {"role": "user", "content": "Status of T-7?"}]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Switch:
    """The switch's side in its own process: listens on `port` in state up or slow, passes up to `target`."""

    def __init__(self, port: int, target: int) -> None:
        self.port, self.target = port, target
        self.state = "down"
        self.server: asyncio.Server | None = None
        self.connections: set[asyncio.StreamWriter] = set()

    async def set(self, state: str) -> None:
        for writer in list(self.connections):
            writer.transport.abort()
        self.connections.clear()
        if state == "down" and self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
        elif state != "down" and self.server is None:
            self.server = await asyncio.start_server(self.accept, "127.0.0.1", self.port, reuse_address=True)
        self.state = state

    async def accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections.add(writer)
        if self.state == "slow":
            return  # never read, never answer
        upstream_reader, upstream = await asyncio.open_connection("127.0.0.1", self.target)
        self.connections.add(upstream)
        await asyncio.gather(pipe(reader, upstream), pipe(upstream_reader, writer), return_exceptions=True)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        commands: asyncio.Queue[str] = asyncio.Queue()

        def read() -> None:
            for line in sys.stdin:
                loop.call_soon_threadsafe(commands.put_nowait, line.strip())
            loop.call_soon_threadsafe(commands.put_nowait, "exit")  # the bench closed the pipe

        threading.Thread(target=read, daemon=True).start()
        while (command := await commands.get()) in CONDITIONS:
            await self.set(command)
            print(command, flush=True)


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    writer.close()


class SwitchProcess:
    def __init__(self, port: int, target: int) -> None:
        command = [sys.executable, __file__, "--switch", str(port), str(target)]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def set(self, state: str) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(state + "\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == state

    def close(self) -> None:
        self.process.communicate("", timeout=60)


@contextmanager
def serve(store: Path) -> Iterator[int]:
    port = free_port()
    command = [sys.executable, "-m", "otel_agentcost.cli", "serve", "--store", f"chdb:{store}", "--port", str(port)]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        while not listening(port):
            if process.poll() is not None:
                raise RuntimeError(f"serve exited with {process.returncode}")
            time.sleep(0.05)
        yield port
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(60)


def timed_calls(client: Any, calls: int) -> list[float]:
    """Microseconds per call, as the agent sees them."""
    timings = []
    for _ in range(calls):
        start = time.perf_counter_ns()
        client.chat.completions.create(model="gpt-5-mini", messages=MESSAGES)
        timings.append((time.perf_counter_ns() - start) / 1000)
    return timings


def run(calls: int, rounds: int) -> dict[str, Any]:
    from openai import OpenAI
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from otel_agentcost.instrumentation import AgentCostInstrumentor
    from otel_agentcost.spool import SpoolingSpanExporter
    from otel_agentcost.standin import StandinLLM

    with tempfile.TemporaryDirectory() as temporary, StandinLLM() as llm, serve(Path(temporary) / "chdb") as store:
        port = free_port()
        switch = SwitchProcess(port, store)
        # A short OTLP timeout and batch delay, so that each block's spans meet the store in that block's state
        # (with the defaults, 10 s and 5 s, the exporter's own retries would ride over blocks of a second or two).
        otlp = OTLPSpanExporter(endpoint=f"http://127.0.0.1:{port}/v1/traces", timeout=1)
        exporter = SpoolingSpanExporter(otlp, directory=Path(temporary) / "spool", max_backoff=1.0)
        provider = TracerProvider(resource=Resource.create({"service.name": "bench-spool"}))
        provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=200))
        instrumentor = AgentCostInstrumentor()
        instrumentor.instrument(tracer_provider=provider)
        client = OpenAI(base_url=llm.openai_base_url, api_key="bench", max_retries=0)
        blocks: list[dict[str, list[float]]] = []
        try:
            switch.set("up")
            timed_calls(client, 200)  # warm-up: imports, connections, caches
            for number in range(rounds):
                blocks.append({})
                for condition in random.Random(number).sample(CONDITIONS, len(CONDITIONS)):
                    switch.set(condition)
                    blocks[-1][condition] = timed_calls(client, calls)
            switch.set("up")
            provider.force_flush()
            delivered_all = exporter.force_flush(120_000)
        finally:
            instrumentor.uninstrument()
            provider.shutdown()
            switch.close()
        counts = {"calls": len(llm.requests), "delivered": exporter.delivered_spans,
                  "spooled": exporter.spooled_spans, "dropped": exporter.dropped_spans}  # fmt: skip
    return report(blocks, calls, counts, delivered_all)


def report(
    blocks: list[dict[str, list[float]]], calls: int, counts: dict[str, int], delivered_all: bool
) -> dict[str, Any]:
    """Per condition: all its calls' median and p99, and the median over rounds of its block's median against the
    up block of the same round (robust to the machine's load drifting between rounds)."""
    rows = []
    for condition in CONDITIONS:
        values = [value for block in blocks for value in block[condition]]
        ratios = [statistics.median(block[condition]) / statistics.median(block["up"]) for block in blocks]
        median, p99 = statistics.median(values), statistics.quantiles(values, n=100)[98]
        rows.append([condition, len(values), round(median, 1), round(p99, 1), round(statistics.median(ratios), 3)])
    rounds = len(blocks)
    return {
        "title": "Agent call latency with the store up, down and slow (spool on)",
        "columns": ["store", "calls", "median_us", "p99_us", "median_vs_up"],
        "rows": rows,
        "notes": [
            f"openai SDK -> stand-in server on 127.0.0.1, one span per call; {rounds} round(s) of {calls} calls per "
            "condition in one process, the order shuffled each round; median_vs_up: the median over rounds of the "
            "block's median call over the same round's up block",
            "up: the OTLP endpoint passes through to otel-agentcost serve (chDB); down: nothing listening; slow: "
            "connections accepted and never answered; OTLP timeout 1 s, batch processor delay 200 ms",
            f"spans: {counts['calls']} calls made, {counts['delivered']} delivered to serve, {counts['spooled']} "
            f"went through the on-disk spool, {counts['dropped']} dropped; everything delivered at the end: "
            f"{delivered_all}",
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a small run for a smoke check")
    parser.add_argument("--calls", type=int, default=200, help="calls per block (default 200)")
    parser.add_argument("--rounds", type=int, default=10, help="blocks per condition (default 10)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--switch", nargs=2, type=int, metavar=("PORT", "TARGET"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.switch:
        asyncio.run(Switch(*options.switch).run())
        return
    calls, rounds = (50, 3) if options.quick else (options.calls, options.rounds)
    result = run(calls, rounds)
    print(json.dumps(result, indent=1))
    if options.out:
        options.out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
