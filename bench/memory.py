"""Resident memory of an instrumented agent process over 100,000 LLM calls: flat after warm-up, or not.

    python bench/memory.py [--quick] [--calls N] [--out FILE]

One process, `AgentCostInstrumentor` on an SDK tracer provider with a `BatchSpanProcessor` and a no-op exporter,
makes `--calls` calls through the real openai and anthropic SDKs over the in-process transport
(`overhead_transport.py`), alternating between them. The calls come from 200 sessions, half inside code scopes
(`agentcost.session`, a task every 25 calls) and half zero-code (a session header), each resending a conversation that
grows by a turn per call and starts over every 10 turns, with a heartbeat every 7th call: every part of attribution
keeps state. Resident memory (/proc/self/statm) is sampled 20 times along the way; the growth after warm-up (the
first 10% of the calls) is what must stay within a fixed bound: attribution's ledger grows until it holds its cap of
fingerprints (100,000 by default, reached after about 55,000 of these calls), and memory is flat from there.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SESSIONS = 200
RESET_EVERY = 10
SAMPLES = 20
WARM_UP_SHARE = 0.1
ASK = "Report what blocked it and what you changed. " * 2
DONE = "Nothing blocked it; the fix is merged and deployed. " * 2
HEARTBEAT = {"role": "user", "content": "# Heartbeat Checks\n- inbox\n- calendar\nReply HEARTBEAT_OK if nothing."}


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _instrumented() -> Any:
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    from otel_agentcost.instrumentation import AgentCostInstrumentor

    class Discarding(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(Discarding()))
    trace.set_tracer_provider(provider)
    instrumentor = AgentCostInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    return provider, instrumentor


class Agent:
    """200 sessions' conversations, and one call of the next session in turn."""

    def __init__(self) -> None:
        import overhead_transport as transport

        self.transport = transport
        self.openai = transport.openai_client()
        self.anthropic = transport.anthropic_client()
        self.histories: dict[int, list[dict[str, Any]]] = {}

    def call(self, number: int) -> None:
        from otel_agentcost import context

        session, turn = number % SESSIONS, number // SESSIONS
        if turn % RESET_EVERY == 0:
            self.histories[session] = []
        history = self.histories[session]
        if number % 7 == 0:
            messages = [*history, HEARTBEAT]
        else:
            history.append({"role": "user", "content": f"s{session} turn {turn}: handle ticket {number}. {ASK}"})
            messages = list(history)
            history.append({"role": "assistant", "content": f"s{session} done {turn}: ticket {number}. {DONE}"})
        if session % 2:
            self._send(number, messages, {"x-session-key": f"gateway-{session}"})
            return
        scope = context.session(f"session-{session}", agent=f"agent-{session}", role="pm")
        with scope, context.task(f"s{session}-t{turn // 25}", kind="triage"):
            self._send(number, messages, None)

    def _send(self, number: int, messages: list[dict[str, Any]], headers: dict[str, str] | None) -> None:
        transport = self.transport
        if number % 2:
            self.anthropic.messages.create(
                model=transport.ANTHROPIC_MODEL,
                max_tokens=256,
                system=transport.SYSTEM,
                messages=messages,  # type: ignore[arg-type]
                extra_headers=headers,
            )
        else:
            self.openai.chat.completions.create(
                model=transport.OPENAI_MODEL,
                messages=[{"role": "system", "content": transport.SYSTEM}, *messages],  # type: ignore[list-item]
                extra_headers=headers,
            )


def run(calls: int) -> dict[str, Any]:
    provider, instrumentor = _instrumented()
    agent = Agent()
    every = max(1, calls // SAMPLES)
    samples: list[list[Any]] = []
    start = time.monotonic()
    for number in range(calls):
        agent.call(number)
        if (number + 1) % every == 0:
            gc.collect()
            samples.append([number + 1, round(resident_mb(), 1), round(time.monotonic() - start, 1)])
    provider.force_flush()
    tracker = instrumentor._processor.attribution.calls.tracker if instrumentor._processor else None
    return {"samples": samples, "tracker": tracker}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="5,000 calls: a smoke check")
    parser.add_argument("--calls", type=int, help="default 100,000 (5,000 with --quick)")
    parser.add_argument("--out", type=Path)
    options = parser.parse_args()
    calls = options.calls or (5_000 if options.quick else 100_000)
    before = resident_mb()
    found = run(calls)
    samples = found["samples"]
    warm = next(sample for sample in samples if sample[0] >= calls * WARM_UP_SHARE)
    half = next(sample for sample in samples if sample[0] >= calls / 2)
    growth = round(samples[-1][1] - warm[1], 1)
    peak = max(sample[1] for sample in samples)
    tracker = found["tracker"]
    notes = [
        f"{calls:,} calls (openai chat and anthropic messages alternating) over {SESSIONS} sessions, "
        f"AgentCostInstrumentor + BatchSpanProcessor + a no-op exporter; RSS before the SDKs were set up: "
        f"{before:.1f} MB",
        f"growth after warm-up (from call {warm[0]:,}, {warm[1]} MB, to the end): {growth:+} MB; peak {peak} MB",
        f"growth over the second half (from call {half[0]:,}, {half[1]} MB): {samples[-1][1] - half[1]:+.1f} MB",
    ]
    if tracker is not None:
        notes.append(
            f"attribution state at the end: {len(tracker.ledger):,} ledger entries (cap {tracker.ledger.capacity:,}), "
            f"{len(tracker.sessions):,} sessions (cap {tracker.sessions.capacity:,})"
        )
    result = {
        "title": f"Memory: resident set of an instrumented process over {calls:,} calls",
        "columns": ["calls", "RSS MB", "seconds"],
        "rows": samples,
        "notes": notes,
    }
    print(json.dumps(result, indent=1))
    if options.out:
        options.out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
