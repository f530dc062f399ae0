"""Per-call cost of zero-code attribution, and its memory over a long run.

    python bench/attribution.py [--quick] [--calls 100000] [--out FILE]

Measures `CallAttributor.attribute()` (session, trigger, task, fingerprints, context share: everything the
instrumentation adds to an LLM call besides the span) on conversations of 200 messages:

- growing: the agent's usual call, the previous request plus a reply and a new prompt (only those two are read);
- fresh: a 200-message conversation never seen before (every message read: a restart, or a reset to a long one);
- heartbeat: a heartbeat call on top of a 200-message conversation (read-only);
- blocks: growing, with Anthropic-style content blocks (text, tool_use, tool_result) instead of plain strings.

Then runs `--calls` calls over 500 sessions that grow, reset and send heartbeats (under tracemalloc, so slower than
the per-call figures), and reports the memory attribution's state holds at the end (the agent's conversations
dropped), the resident memory before and after, and the ledger's and the sessions' sizes against their caps.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import time
import tracemalloc
from pathlib import Path
from typing import Any

from otel_agentcost import attributes as attr
from otel_agentcost.attribution import AttributionSettings, CallAttributor, CallRequest

SYSTEM = {"role": "system", "content": "You are an autonomous operations agent. " * 200}
HEARTBEAT = {"role": "user", "content": "# Heartbeat Checks\n- inbox\n- calendar\nReply HEARTBEAT_OK if nothing."}
LENGTH = 200


def text_message(session: int, index: int) -> dict[str, Any]:
    role = "user" if index % 2 == 0 else "assistant"
    return {"role": role, "content": f"session {session} message {index}: " + "lorem ipsum dolor sit amet " * 40}


def block_message(session: int, index: int) -> dict[str, Any]:
    if index % 2:
        return {
            "role": "assistant",
            "content": [
                {"type": "text", "text": f"step {index}: checking " + "the repository state " * 10},
                {"type": "tool_use", "id": f"toolu_{session}_{index}", "name": "shell", "input": {"cmd": "ls -la"}},
            ],
        }
    return {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": f"toolu_{session}_{index - 1}", "content": "file.py\n" * 60},
            {"type": "text", "text": f"continue with step {index}", "cache_control": {"type": "ephemeral"}},
        ],
    }


def layers(session: str) -> dict[str, dict[str, Any]]:
    return {"context": {}, "baggage": {}, "env": {attr.SESSION_ID: session}}


def conversation(session: int, length: int, make: Any = text_message) -> list[dict[str, Any]]:
    return [SYSTEM, *(make(session, i) for i in range(length))]


def per_call_us(attributor: CallAttributor, requests: list[tuple[str, CallRequest]]) -> float:
    """Median microseconds per call over `requests` (each a (session, request))."""
    timings = []
    for session, request in requests:
        start = time.perf_counter_ns()
        attributor.attribute(layers(session), request)
        timings.append(time.perf_counter_ns() - start)
    return statistics.median(timings) / 1000


def growing(make: Any = text_message) -> float:
    """Calls whose conversation grows by a reply and a prompt, measured at 200 messages."""
    attributor = CallAttributor(AttributionSettings())
    requests = []
    for session in range(50):
        history = conversation(session, LENGTH - 2, make)
        attributor.attribute(layers(f"s{session}"), CallRequest(messages=history))
        requests.append(
            (f"s{session}", CallRequest(messages=[*history, make(session, LENGTH - 2), make(session, 199)]))
        )
    return per_call_us(attributor, requests)


def fresh() -> float:
    attributor = CallAttributor(AttributionSettings())
    return per_call_us(attributor, [(f"s{s}", CallRequest(messages=conversation(s, LENGTH))) for s in range(50)])


def heartbeat() -> float:
    attributor = CallAttributor(AttributionSettings())
    requests = []
    for session in range(50):
        history = conversation(session, LENGTH)
        attributor.attribute(layers(f"s{session}"), CallRequest(messages=history))
        requests.append((f"s{session}", CallRequest(messages=[*history, HEARTBEAT])))
    return per_call_us(attributor, requests)


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def long_run(calls: int) -> dict[str, Any]:
    """`calls` calls over 500 sessions: each grows its conversation, resets it every 40 calls, heartbeats every 7th."""
    attributor = CallAttributor(AttributionSettings())
    histories: dict[int, list[dict[str, Any]]] = {}
    gc.collect()
    before = resident_mb()
    tracemalloc.start()
    start = time.perf_counter()
    for call in range(calls):
        session = call % 500
        turn = call // 500
        if turn % 40 == 0:
            histories[session] = [SYSTEM]
        history = histories[session]
        if call % 7 == 0:
            request = CallRequest(messages=[*history, HEARTBEAT])
        else:
            history.append({"role": "user", "content": f"s{session} turn {turn}: " + "please handle this " * 20})
            request = CallRequest(messages=history)
            history.append({"role": "assistant", "content": f"s{session} done {turn}: " + "handled it well " * 20})
        attributor.attribute(layers(f"session-{session}"), request)
    elapsed = time.perf_counter() - start
    histories.clear()  # the agent's conversations; what is left is attribution's own state
    gc.collect()
    state, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "calls": calls,
        "seconds_traced": round(elapsed, 2),
        "attribution_state_mb": round(state / 2**20, 1),
        "traced_peak_mb": round(peak / 2**20, 1),
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(resident_mb(), 1),
        "ledger_entries": len(attributor.tracker.ledger),
        "ledger_cap": attributor.tracker.ledger.capacity,
        "sessions": len(attributor.tracker.sessions),
        "sessions_cap": attributor.tracker.sessions.capacity,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a 5,000-call long run: a smoke check")
    parser.add_argument("--calls", type=int, help="calls in the long run (default 100,000; 5,000 with --quick)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    options = parser.parse_args()
    calls = options.calls or (5_000 if options.quick else 100_000)
    cases = [
        ["growing (previous request + reply + prompt)", round(growing(), 1)],
        ["fresh (never seen before)", round(fresh(), 1)],
        ["heartbeat (read-only)", round(heartbeat(), 1)],
        ["growing, content blocks", round(growing(block_message), 1)],
    ]
    run = long_run(calls)
    result = {
        "title": f"Attribution: median microseconds per call on {LENGTH}-message conversations, and its state",
        "columns": ["case", "us/call"],
        "rows": cases,
        "notes": [
            f"long run of {run['calls']:,} calls over 500 sessions (under tracemalloc, {run['seconds_traced']} s): "
            f"attribution's state {run['attribution_state_mb']} MB (traced peak {run['traced_peak_mb']} MB); "
            f"RSS {run['rss_before_mb']} -> {run['rss_after_mb']} MB",
            f"ledger {run['ledger_entries']:,} entries (cap {run['ledger_cap']:,}), "
            f"sessions {run['sessions']:,} (cap {run['sessions_cap']:,})",
        ],
    }
    print(json.dumps(result, indent=1))
    if options.out:
        options.out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
