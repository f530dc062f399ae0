"""Added time per LLM call: this project against a bare span (the floor) and the peers, over the uninstrumented SDK.

    python bench/overhead.py [--quick] [--out FILE]

Every variant runs the real openai and anthropic SDKs over the in-process transport (`overhead_transport.py`), each
in its own process because instrumentors patch globally, with the same tracer provider, `BatchSpanProcessor` and
no-op exporter:

- `floor`: one bare span (name and kind) around each call, the least any instrumentation can cost;
- `floor-attributes`: the same span carrying the attributes this project's span of that call carries (taken from one
  real instrumented call, set when the span starts): the least any instrumentation recording them through the SDK
  can cost, nothing read from the request or the response;
- `agentcost`: `AgentCostInstrumentor` (its span processor included), no session scope: the zero-code case;
- `openllmetry`, `openai-v2`, `openlit`: the peers, from bench/.venv-peers (`bench/peers/setup.sh`), their defaults;
- `agentcost-baseline`, with `--baseline DIR`: this project's package as found in DIR (a checkout of an earlier
  commit: `git archive REV otel_agentcost | tar -x -C DIR`), for before/after figures from the same run.

On a shared 2-core machine the SDK's own time (milliseconds: request building and validation) wanders by more than
an instrumentation costs, so each process measures its variant against itself: it alternates short blocks of calls
with the instrumentation switched on and off (the patches it made to the SDKs' classes and modules swapped in and
out) and takes the median of the paired differences. Rounds run every variant's process in turn; the paired
differences of all rounds are pooled. A call's time is the process's CPU time (the exporter's thread included); wall
time is kept for the record. `none` is the floor process's calls with the span off. Spans per call are counted with
the instrumentation on and off, so a variant that instruments nothing, or that cannot be switched off, shows.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent  # the checkout this bench belongs to: its package is the one measured
PEERS_VENV = HERE / ".venv-peers"
PEERS_PYTHON = PEERS_VENV / "bin" / "python"
PEERS_READY = PEERS_VENV / "freeze.txt"  # written last by bench/peers/setup.sh
VARIANTS = ("floor", "floor-attributes", "agentcost", "agentcost-baseline", "openllmetry", "openai-v2", "openlit")
BASELINE_ENV = "AGENTCOST_BENCH_BASELINE"  # the default of --baseline, so that `bench/run.py` can pass one on
PEERS = frozenset({"openllmetry", "openai-v2", "openlit"})
SDKS = ("openai", "anthropic")
WARM_UP = 30
TARGET = 1.3


# --- the child: one variant, switched on and off ----------------------------------------------------------------
class _Warnings(logging.Handler):
    """Keeps what the instrumentors log at warning and above: why a peer instruments nothing, in its own words."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}"[:300])


class _Counting:
    """A no-op exporter that counts what it is given."""

    def __init__(self) -> None:
        self.spans = 0

    def export(self, spans: Sequence[Any]) -> Any:
        from opentelemetry.sdk.trace.export import SpanExportResult

        self.spans += len(spans)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def _provider() -> tuple[Any, _Counting]:
    """The one tracer provider every variant uses, registered globally (the peers and the Anthropic SDK take the
    global one), with its counting exporter."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    exporter = _Counting()
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(exporter))  # type: ignore[arg-type]
    trace.set_tracer_provider(provider)
    return provider, exporter


def _instrument(variant: str, provider: Any) -> set[str]:
    """Instruments the process as `variant` does; returns the vendors it does not cover."""
    if variant.startswith("agentcost"):
        from otel_agentcost.instrumentation import AgentCostInstrumentor

        AgentCostInstrumentor().instrument(tracer_provider=provider)
    elif variant == "openllmetry":
        from opentelemetry.instrumentation.anthropic import AnthropicInstrumentor
        from opentelemetry.instrumentation.openai import OpenAIInstrumentor

        OpenAIInstrumentor().instrument(tracer_provider=provider)
        AnthropicInstrumentor().instrument(tracer_provider=provider)
    elif variant == "openai-v2":
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor as OpenAIV2Instrumentor

        OpenAIV2Instrumentor().instrument(tracer_provider=provider)
        return {"anthropic"}
    elif variant == "openlit":
        import openlit

        # It takes the registered SDK provider as it is; its price list from a file (by default it downloads one);
        # spans only, like the others (its metrics and events would go to the console).
        prices = str(HERE / "peers" / "openlit_pricing.json")
        openlit.init(disable_metrics=True, disable_events=True, pricing_json=prices)
    return set()


def _namespaces() -> Iterator[Any]:
    """The SDKs' loaded modules and the classes they define: where instrumentors put their patches."""
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in SDKS and isinstance(module, ModuleType):
            yield module
            for value in list(vars(module).values()):
                if isinstance(value, type) and value.__module__ == name:
                    yield value


def _snapshot() -> dict[tuple[int, str], tuple[Any, str, Any]]:
    """Every function-like attribute of the SDKs (dunders are the interpreter's, not patches)."""
    return {
        (id(ns), key): (ns, key, value)
        for ns in _namespaces()
        for key, value in list(vars(ns).items())
        if callable(value) and not (key.startswith("__") and key.endswith("__"))
    }


class Patches:
    """The wrappers instrumenting put on the SDKs' modules and classes (anything with `__wrapped__`: wrapt's and
    functools' wrappers), to swap in (on) and out (off). A patch of another kind stays on in both states: spans
    counted while off show it."""

    def __init__(self, instrument: Callable[[], set[str]]) -> None:
        before = _snapshot()
        self.uncovered = instrument()
        after = _snapshot()
        self.changes = [
            (ns, key, before[slot][2], value)
            for slot, (ns, key, value) in after.items()
            if slot in before and before[slot][2] is not value and hasattr(value, "__wrapped__")
        ]

    def _set(self, index: int) -> None:
        for change in self.changes:
            setattr(change[0], change[1], change[2 + index])

    def on(self) -> None:
        self._set(1)

    def off(self) -> None:
        self._set(0)


def _floored(span_name: str, call: Callable[[Any], None], attributes: Any = None) -> Callable[[Any], None]:
    from opentelemetry import trace

    tracer = trace.get_tracer("bench.floor")

    def with_span(client: Any) -> None:
        with tracer.start_as_current_span(span_name, kind=trace.SpanKind.CLIENT, attributes=attributes):
            call(client)

    return with_span


def our_attributes(workload: Any) -> dict[str, Any]:
    """The attributes this project's span of one call of `workload` carries: one real instrumented call, on a tracer
    provider of its own that nothing else sees, the instrumentation removed again before anything is timed."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from otel_agentcost.instrumentation import AgentCostInstrumentor

    provider, spans = TracerProvider(), InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    instrumentor = AgentCostInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    try:
        workload.call(workload.client_off())
    finally:
        instrumentor.uninstrument()
    (span,) = spans.get_finished_spans()
    return dict(span.attributes or {})


def _batch(call: Callable[[], None], calls: int) -> tuple[float, float]:
    """(CPU, wall) microseconds per call over `calls` calls."""
    cpu, wall = time.process_time_ns(), time.perf_counter_ns()
    for _ in range(calls):
        call()
    return (time.process_time_ns() - cpu) / calls / 1000, (time.perf_counter_ns() - wall) / calls / 1000


def _spans_per_call(provider: Any, exporter: _Counting, call: Callable[[], None]) -> float:
    """Warms a call up, counting the spans it exports."""
    provider.force_flush()
    before = exporter.spans
    for _ in range(WARM_UP):
        call()
    provider.force_flush()
    return (exporter.spans - before) / WARM_UP


class _Pair:
    """A workload's call with the variant on and off."""

    def __init__(self, variant: str, workload: Any) -> None:
        on, off = workload.client_on(), workload.client_off()
        call_on = workload.call
        self.attributes = 0  # the floor-attributes span's
        if variant == "floor" and not workload.sdk_traced:  # with the SDK tracing itself, its own span is the floor
            call_on = _floored(workload.span_name, call_on)
        elif variant == "floor-attributes" and not workload.sdk_traced:
            attributes = our_attributes(workload)
            self.attributes = len(attributes)
            call_on = _floored(workload.span_name, call_on, attributes)
        self.on: Callable[[], None] = lambda: call_on(on)
        self.off: Callable[[], None] = lambda: workload.call(off)


def _package_dir() -> str | None:
    """Where the otel_agentcost the child imported lives (None when it imported none), so the table says what it
    measured."""
    module = sys.modules.get("otel_agentcost")
    file = getattr(module, "__file__", None)
    return str(Path(file).parent) if file else None


def child(variant: str, blocks: int, calls: int) -> dict[str, Any]:
    from overhead_transport import WORKLOADS

    warnings = _Warnings()
    logging.getLogger().addHandler(warnings)
    provider, exporter = _provider()
    pairs = {name: _Pair(variant, workload) for name, workload in WORKLOADS.items()}
    for pair in pairs.values():
        pair.off()  # loads the SDK modules the calls use, so that their patches are seen
    patches = Patches(lambda: _instrument(variant, provider))
    found: dict[str, Any] = {"workloads": {}, "warnings": warnings.messages, "patches": len(patches.changes)}
    found["package"] = _package_dir()
    ready = {}
    for name, pair in pairs.items():
        if name.split()[0] in patches.uncovered:
            found["workloads"][name] = {"skipped": f"{variant} instruments OpenAI only"}
            continue
        if variant == "floor-attributes" and WORKLOADS[name].sdk_traced:
            found["workloads"][name] = {"skipped": "the SDK's own span is the floor here"}
            continue
        try:
            patches.off()
            spans_off = _spans_per_call(provider, exporter, pair.off)
            patches.on()
            spans_on = _spans_per_call(provider, exporter, pair.on)
        except Exception as error:
            found["workloads"][name] = {"error": f"{type(error).__name__}: {error}"[:300]}
            continue
        found["workloads"][name] = {"spans_on": spans_on, "spans_off": spans_off, "on": [], "off": []}
        found["workloads"][name]["attributes"] = pair.attributes
        ready[name] = pair
    for block in range(blocks):
        for name, pair in ready.items():
            states = (("off", patches.off, pair.off), ("on", patches.on, pair.on))
            for state, switch, call in states if block % 2 else states[::-1]:
                switch()
                found["workloads"][name][state].append(_batch(call, calls))
    patches.on()
    return found


# --- the parent: rounds of children, and the table -----------------------------------------------------------------
def _python_for(variant: str) -> Path | None:
    """The peers' venv runs every variant when it is set up (the same SDKs and OpenTelemetry for all); without it,
    the project's own variants run here and the peers are reported missing."""
    if PEERS_READY.exists():
        return PEERS_PYTHON
    return None if variant in PEERS else Path(sys.executable)


def _python_path(variant: str, baseline: Path | None) -> str:
    """The children's import path: this checkout's package first (the venvs hold an editable install of another
    checkout, which would otherwise be measured), or the earlier package for the baseline; then the bench."""
    first = baseline if variant == "agentcost-baseline" and baseline is not None else ROOT
    return os.pathsep.join((str(first), str(HERE)))


def run_child(variant: str, blocks: int, calls: int, baseline: Path | None = None) -> dict[str, Any]:
    python = _python_for(variant)
    if python is None:
        return {"failed": "not installed: run bench/peers/setup.sh"}
    command = [str(python), str(Path(__file__)), "--child", variant, "--blocks", str(blocks), "--calls", str(calls)]
    environment = {**os.environ, "PYTHONPATH": _python_path(variant, baseline)}
    done = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=1800, check=False)
    if done.returncode != 0:
        return {"failed": (done.stderr.strip().splitlines() or [f"exited with {done.returncode}"])[-1][:300]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median(values: Sequence[float]) -> float:
    return statistics.median(values)


def _pooled(rounds: list[dict[str, Any]], workload: str) -> dict[str, Any] | str:
    """A variant's figures for one workload, its paired blocks pooled over the rounds; or why there are none."""
    on: list[tuple[float, float]] = []
    off: list[tuple[float, float]] = []
    spans_on, spans_off = [], []
    for found in rounds:
        if "failed" in found:
            return f"failed: {found['failed']}"
        one = found["workloads"][workload]
        if "skipped" in one or "error" in one:
            return one.get("skipped") or f"failed: {one['error']}"
        on += one["on"]
        off += one["off"]
        spans_on.append(one["spans_on"])
        spans_off.append(one["spans_off"])
    return {
        "none": _median([cpu for cpu, _ in off]),
        "cpu": _median([cpu for cpu, _ in on]),
        "added_cpu": _median([a[0] - b[0] for a, b in zip(on, off, strict=True)]),
        "added_wall": _median([a[1] - b[1] for a, b in zip(on, off, strict=True)]),
        "spans_on": max(spans_on),
        "spans_off": max(spans_off),
        "warnings": rounds[0]["warnings"],
        "attributes": rounds[0]["workloads"][workload].get("attributes", 0),
    }


def _note(variant: str, found: dict[str, Any]) -> str:
    if found["spans_on"] == 0:
        said = "; ".join(found["warnings"][:2])
        return "no spans: instruments nothing here" + (f" ({said})" if said else "")
    if found["spans_off"] > 0 and variant != "floor":
        return f"{found['spans_off']} spans/call with its patches out: not switched off, added time understated"
    if variant == "floor-attributes":
        return f"the floor's span with agentcost's {found['attributes']} attributes of this call"
    return ""


def table(runs: dict[str, list[dict[str, Any]]], workloads: Sequence[str]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for workload in workloads:
        summaries = {variant: _pooled(rounds, workload) for variant, rounds in runs.items()}
        floor = summaries.get("floor")
        if isinstance(floor, dict):
            rows.append([workload, "none", round(floor["none"], 1), None, None, None, 0, "the SDK alone"])
        for variant, found in summaries.items():
            if isinstance(found, str):
                rows.append([workload, variant, None, None, None, None, None, found])
                continue
            ratio = wall = None
            if isinstance(floor, dict) and floor["added_cpu"] > 0:
                ratio = round(found["added_cpu"] / floor["added_cpu"], 2)
                wall = round(found["added_wall"] / floor["added_wall"], 2) if floor["added_wall"] > 0 else None
            cpu, added = round(found["cpu"], 1), round(found["added_cpu"], 1)
            rows.append([workload, variant, cpu, added, ratio, wall, found["spans_on"], _note(variant, found)])
    return rows


def verdicts(rows: list[list[Any]]) -> list[str]:
    """Whether this project is within the target of the floor and below every peer, per workload."""
    notes = []
    for workload in dict.fromkeys(row[0] for row in rows):
        ours = next((row for row in rows if row[0] == workload and row[1] == "agentcost"), None)
        if ours is None or ours[4] is None:
            notes.append(f"{workload}: agentcost has no figure")
            continue
        peers = [row for row in rows if row[0] == workload and row[1] in PEERS and row[4] is not None and row[6]]
        beaten = [row[1] for row in peers if row[4] <= ours[4]]
        met = "met" if ours[4] <= TARGET else "MISSED"
        below = f"not below {', '.join(beaten)}" if beaten else f"below all {len(peers)} peers measured"
        reach = _attribute_floor(rows, workload)
        notes.append(f"{workload}: agentcost {ours[4]}x the floor (target {TARGET}x: {met}); {below}{reach}")
    return notes


def _attribute_floor(rows: list[list[Any]], workload: str) -> str:
    """What the SDK alone charges for the attributes, against the target: above it, no instrumentation recording
    them through the SDK can meet it."""
    row = next((row for row in rows if row[0] == workload and row[1] == "floor-attributes"), None)
    if row is None or row[4] is None:
        return ""
    verdict = "above the target before any work of its own" if row[4] > TARGET else "within the target"
    return f"; the bare span with the same attributes: {row[4]}x, {verdict}"


def packages(runs: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Which otel_agentcost each of this project's variants measured."""
    return [
        f"{variant}: otel_agentcost from {', '.join(sorted({str(found.get('package')) for found in rounds}))}"
        for variant, rounds in runs.items()
        if variant.startswith("agentcost") and rounds and all("failed" not in found for found in rounds)
    ]


def measure(
    variants: Sequence[str], rounds: int, blocks: int, calls: int, baseline: Path | None
) -> dict[str, list[dict[str, Any]]]:
    runs: dict[str, list[dict[str, Any]]] = {variant: [] for variant in variants}
    for index in range(rounds):
        for variant in [*variants[index % len(variants) :], *variants[: index % len(variants)]]:
            found = run_child(variant, blocks, calls, baseline)
            runs[variant].append(found)
            state = found.get("failed", "done")
            print(f"round {index + 1}/{rounds} {variant}: {state}", file=sys.stderr)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="1 round of few blocks: a smoke check")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--rounds", type=int, help="processes per variant (default 5)")
    parser.add_argument("--blocks", type=int, help="on/off block pairs per workload and process (default 20)")
    parser.add_argument("--calls", type=int, default=10, help="calls per block (default 10)")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument(
        "--baseline",
        type=Path,
        default=os.environ.get(BASELINE_ENV) or None,
        help=f"a directory holding an earlier otel_agentcost package (default: ${BASELINE_ENV})",
    )
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(child(options.child, options.blocks, options.calls)))
        return
    rounds = options.rounds or (1 if options.quick else 5)
    blocks = options.blocks or (4 if options.quick else 20)
    chosen = {*options.variants, "floor"} - (set() if options.baseline else {"agentcost-baseline"})
    variants = [variant for variant in VARIANTS if variant in chosen]
    runs = measure(variants, rounds, blocks, options.calls, options.baseline)
    from overhead_transport import WORKLOADS

    rows = table(runs, list(WORKLOADS))
    result = {
        "title": "Call overhead: added CPU time per LLM call over the SDK alone, as a ratio to a bare span (the floor)",
        "columns": [
            "workload",
            "variant",
            "us/call (cpu)",
            "added us (cpu)",
            "x floor",
            "x floor (wall)",
            "spans/call",
            "note",
        ],
        "rows": rows,
        "notes": [
            *verdicts(rows),
            f"{rounds} processes per variant x {blocks} on/off block pairs x {options.calls} calls per workload; "
            f"medians of paired differences; interpreter {_python_for('agentcost')}",
            "floor: a bare span around the call; with the Anthropic SDK tracing itself, its own span is the floor",
            "every variant: the same TracerProvider, BatchSpanProcessor and a no-op exporter",
            "x floor (wall): the same ratio from wall-clock time, noisier on a shared machine",
            *packages(runs),
        ],
    }
    print(json.dumps(result, indent=1))
    if options.out:
        options.out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
