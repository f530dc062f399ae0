"""Ingest throughput: spans per second into chDB through the in-process exporter and through `serve`, and the bytes
each stored span takes.

Every measurement runs in a process of its own (chDB allows one directory per process, and `serve` owns its store):
- rows / decode: the Python work alone, on one core, best of three passes: SDK spans to what the store sends for
  them (the exporter's share: an Arrow table), and OTLP protobuf bodies to the block serve inserts (its decoding);
  robust on a busy machine.
- engine: batches of init()'s size (`--store-batch`) encoded beforehand as the store sends them and inserted alone:
  the engine's share of the exporter.
- exporter: ClickHouseSpanExporter on a fresh chDB directory, fed batches of 512 LLM-call spans that the real SDK
  made beforehand (the spans are built once, outside the timing; the first batch creates the schema, untimed).
- exporter behind the spool: the same exporter as init() runs it, wrapped in the spool, which prepares the next
  batch (spans to block) on the caller's thread while its delivery thread stores the one before; batches of init()'s
  size, at most two handed over ahead of delivery, timed until the spool has delivered them all.
- serve (OTLP exporter): `serve` on a fresh chDB directory, and several sending processes each exporting its own
  spans with the SDK's real OTLPSpanExporter (protobuf over HTTP), batches of 512; the time runs from the moment all
  senders start until every span is in the store: serve acknowledges a request once it is in its journal, so after
  the last acknowledgement it is stopped, and it stores what its journal holds before it exits (the rate at which
  requests were acknowledged is noted too).
- serve (pre-encoded): the same, with each sender posting protobuf bodies encoded beforehand, so that only the
  server's side is measured.
Bytes per span are the compressed bytes of `otel_traces`' active parts over its rows, after the parts are merged.

`--against DIR` runs every measurement a second time with the otel_agentcost package from DIR (an export of an
earlier commit, e.g. `git archive <commit> otel_agentcost dashboards | tar -x -C DIR`) and reports the ratio, so a
before/after is measured side by side on the same machine in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BATCH = 512
STORE_BATCH = 16384  # ClickHouseSpanExporter.preferred_batch_spans, which the batch processor in init() honours
EXPORTER_TARGET = 50_000
SERVE_TARGET = 20_000
PATHS = ("rows", "decode", "engine", "exporter", "exporter-large", "exporter-spooled", "serve", "serve-encoded")
PASSES = 3
ENGINE = "chDB alone: pre-encoded blocks"  # the engine's share of the exporter's work, its batches
SQL = Path(__file__).parent / "sql"
OPTIMIZE = SQL / "ingest_optimize.sql"  # otel_traces' parts merged into one, as they settle in use
START_NS = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z
MODELS = (("openai", "gpt-5-mini", "api.openai.com"), ("openai", "gpt-5", "api.openai.com"))
MODELS += (
    ("anthropic", "claude-sonnet-4-5", "api.anthropic.com"),
    ("anthropic", "claude-haiku-4-5", "api.anthropic.com"),
)
TRIGGERS = ("user", "heartbeat", "heartbeat", "schedule", "reactive")
ROLES = (("pm", "pm-trivial"), ("pm", "pm-heavy"), ("coder", "coder"), ("reviewer", "review"))


# --- spans ----------------------------------------------------------------------------------------------------------


def llm_spans(count: int, seed: int) -> list[Any]:
    """`count` finished LLM-call spans from the real SDK, with the attributes this project's instrumentation writes,
    under a task span of a session; values vary as in a fleet (sessions, tasks, models, token counts)."""
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags

    from otel_agentcost import attributes as attr
    from otel_agentcost.version import __version__

    rng = random.Random(seed)
    resource = Resource.create({"service.name": f"agent-{seed % 7}", "service.instance.id": f"{seed:08x}"})
    tracer = TracerProvider(resource=resource).get_tracer("otel_agentcost", __version__)
    spans = []
    calls_of: dict[int, int] = {}  # each session's calls so far: a task is 12 consecutive calls of one session
    for n in range(count):
        session = rng.randrange(400)
        calls_of[session] = calls_of.get(session, 0) + 1
        task = f"T-{session}-{calls_of[session] // 12}"
        provider, model, server = rng.choice(MODELS)
        role, lane = rng.choice(ROLES)
        input_tokens = rng.randrange(500, 60_000)
        output_tokens = rng.randrange(20, 4_000)
        parent = SpanContext(rng.getrandbits(128), rng.getrandbits(64), True, TraceFlags(TraceFlags.SAMPLED))
        start = START_NS + n * 400_000_000 + rng.randrange(400_000_000)
        values: dict[str, Any] = {
            attr.GEN_AI_OPERATION_NAME: "chat",
            attr.GEN_AI_PROVIDER_NAME: provider,
            attr.GEN_AI_REQUEST_MODEL: model,
            attr.GEN_AI_RESPONSE_MODEL: f"{model}-2026-08-01",
            attr.GEN_AI_RESPONSE_ID: f"resp_{rng.getrandbits(96):024x}",
            attr.GEN_AI_RESPONSE_FINISH_REASONS: ("stop",) if rng.random() < 0.8 else ("tool_calls",),
            attr.GEN_AI_REQUEST_STREAM: rng.random() < 0.3,
            attr.GEN_AI_USAGE_INPUT_TOKENS: input_tokens,
            attr.GEN_AI_USAGE_OUTPUT_TOKENS: output_tokens,
            attr.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS: input_tokens // 2,
            attr.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS: rng.randrange(0, 2_000),
            attr.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS: output_tokens // 3,
            attr.GEN_AI_CONVERSATION_ID: f"s-{session}",
            attr.GEN_AI_AGENT_NAME: f"{role}-{session % 9}",
            attr.SERVER_ADDRESS: server,
            attr.SERVER_PORT: 443,
            attr.SESSION_ID: f"s-{session}",
            attr.TASK_ID: task,
            attr.TASK_KIND: "triage",
            attr.TRIGGER: rng.choice(TRIGGERS),
            attr.LANE: lane,
            attr.AGENT_ROLE: role,
            attr.COST_USD: round(input_tokens * 2.5e-7 + output_tokens * 1e-5, 6),
            attr.COST_SOURCE: attr.COST_FROM_PRICE_TABLE,
            attr.CONTEXT_INHERITED_TOKENS: rng.randrange(0, input_tokens),
            attr.CONTEXT_FOREIGN_TOKENS: 0,
            attr.CONTEXT_CHARS: input_tokens * 4,
            attr.CONTEXT_INTRODUCED: ",".join(f"{rng.getrandbits(64):016x}:{rng.randrange(9999)}" for _ in range(2)),
        }
        span = tracer.start_span(
            f"chat {model}",
            context=trace.set_span_in_context(NonRecordingSpan(parent)),
            kind=SpanKind.CLIENT,
            attributes=values,
            start_time=start,
        )
        span.end(end_time=start + rng.randrange(200_000_000, 30_000_000_000))
        spans.append(span)
    return spans


def batches(items: Sequence[Any], size: int = BATCH) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


# --- workers (each in its own process) ------------------------------------------------------------------------------


def exporter_worker(spans: int, directory: str, size: int) -> dict[str, Any]:
    from otel_agentcost.store.exporter import ClickHouseSpanExporter

    warmup, *timed = batches(llm_spans(spans + size, seed=1), size)
    gc.freeze()  # the prepared spans are no garbage collector's work: a real process holds one queue of them
    exporter = ClickHouseSpanExporter(f"chdb:{directory}")
    exporter.export(warmup)  # opens the store and creates the schema
    started, cpu = time.perf_counter(), time.process_time()
    for batch in timed:
        if exporter.export(batch).name != "SUCCESS":
            raise SystemExit("the exporter reported a failure; see the log above")
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    exporter.shutdown()
    return {"spans": spans, "seconds": seconds, "cpu_seconds": cpu_seconds, **stored_size(directory, spans + size)}


def spooled_worker(spans: int, directory: str, size: int) -> dict[str, Any]:
    """The exporter as init() runs it: behind the spool, which has the next batch prepared (spans to block) by the
    caller's thread while its delivery thread stores the one before. The caller hands over batches of `size` as the
    batch processor would, keeping at most two ahead of delivery (a store that keeps up: nothing goes to disk)."""
    from otel_agentcost.spool import SpoolingSpanExporter
    from otel_agentcost.store.exporter import ClickHouseSpanExporter

    warmup, *timed = batches(llm_spans(spans + size, seed=1), size)
    gc.freeze()
    with tempfile.TemporaryDirectory(prefix="ingest-spool-") as spool_directory:
        spool = SpoolingSpanExporter(
            ClickHouseSpanExporter(f"chdb:{directory}"), directory=spool_directory, queue_spans=2 * size
        )
        spool.export(warmup)  # opens the store and creates the schema
        if not spool.force_flush(600_000):
            raise SystemExit("the spool did not deliver the first batch")
        started, cpu = time.perf_counter(), time.process_time()
        for ahead, batch in enumerate(timed):
            while spool.delivered_spans < size * ahead:  # the warm-up, and all but the last two handed over
                time.sleep(0.001)
            spool.export(batch)
        if not spool.force_flush(600_000):
            raise SystemExit("the spool did not deliver everything")
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
        dropped, spooled = spool.dropped_spans, spool.spooled_spans
        spool.shutdown()
    if dropped or spooled:
        raise SystemExit(f"the spool dropped {dropped} and wrote {spooled} spans to disk: not a store keeping up")
    return {"spans": spans, "seconds": seconds, "cpu_seconds": cpu_seconds, **stored_size(directory, spans + size)}


def engine_worker(spans: int, directory: str, size: int) -> dict[str, Any]:
    """The engine's share: the same batches, encoded beforehand as the store sends them, inserted alone."""
    from otel_agentcost.store import open_store
    from otel_agentcost.store.schema import init_schema

    with open_store(f"chdb:{directory}") as store:
        init_schema(store)
        encode, send = store_encoding(store)
        warmup, *timed = [encode(batch) for batch in batches(llm_spans(spans + size, seed=1), size)]
        gc.freeze()
        send(warmup)
        started, cpu = time.perf_counter(), time.process_time()
        for block in timed:
            send(block)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    return {"spans": spans, "seconds": seconds, "cpu_seconds": cpu_seconds, **stored_size(directory, spans + size)}


def store_encoding(store: Any) -> tuple[Any, Any]:
    """(encode, send): SDK spans to what the embedded store's insert sends for them, and the sending alone: an Arrow
    table read in memory by the engine (this tree), or a Native block (trees from before store/block.py)."""
    from otel_agentcost.store import spans as module

    if hasattr(module, "span_block"):
        from otel_agentcost.store.arrow import block_table

        return lambda batch: block_table(module.span_block(batch)), in_memory_sender(store)
    client = store._client

    def native(spans: Sequence[Any]) -> bytes:
        return native_block(client, [tuple(row) for row in module.span_rows(spans)])

    return native, native_sender(client)


def in_memory_sender(store: Any) -> Any:
    """The embedded store's span insert of an Arrow table made beforehand, and nothing else: its statement, which
    reads the table by name through chDB's Python() table function."""
    from otel_agentcost.store.schema import read_sql

    sql, parameters = read_sql("insert_spans"), {"database": store.database, "token": ""}

    def send_table(table: Any) -> None:
        spans = table  # noqa: F841  # read by name: the statement's Python(spans)
        store._engine.query(sql, "TabSeparated", params=parameters)

    return send_table


def native_sender(client: Any) -> Any:
    """The driver's insert of a Native block made beforehand (`native_block`), and nothing else."""
    from otel_agentcost.store.columns import INSERT_COLUMNS

    return lambda body: client.raw_insert("otel_traces", INSERT_COLUMNS, insert_block=body, fmt="Native")


def native_block(client: Any, rows: Sequence[Any]) -> bytes:
    """The Native block the store's insert sends for these rows (the driver's encoding, without the statement)."""
    from clickhouse_connect.driver.transform import NativeTransform

    from otel_agentcost.store.columns import INSERT_COLUMNS, INSERT_TYPES

    context = client.create_insert_context(
        "otel_traces", list(INSERT_COLUMNS), data=rows, column_type_names=list(INSERT_TYPES)
    )
    body = b"".join(NativeTransform.build_insert(context))
    return body.partition(b"\n")[2] if body.startswith(b"INSERT") else body


def conversion_worker(kind: str, spans: int) -> dict[str, Any]:
    """One step of the Python work alone, on one core, the best of several passes over the same batches: SDK spans
    to what the store sends (the exporter's share), or OTLP protobuf bodies to a block (serve's decoding)."""
    convert, items = rows_step(spans) if kind == "rows" else decode_step(spans)
    gc.freeze()
    best = best_cpu = float("inf")
    for _ in range(PASSES):
        started, cpu = time.perf_counter(), time.process_time()
        for item in items:
            convert(item)
        best, best_cpu = min(best, time.perf_counter() - started), min(best_cpu, time.process_time() - cpu)
    return {"spans": spans, "seconds": best, "cpu_seconds": best_cpu, "bytes_per_span": None}


def rows_step(spans: int) -> tuple[Any, list[Any]]:
    """SDK spans to what the store's insert sends for them: an Arrow table (this tree), or a Native block (trees from
    before store/block.py, encoded by the driver of a store on a scratch chDB directory)."""
    from otel_agentcost.store import open_store

    encode, _ = store_encoding(open_store(f"chdb:{tempfile.mkdtemp()}"))
    return encode, batches(llm_spans(spans, seed=1))


def decode_step(spans: int) -> tuple[Any, list[Any]]:
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

    from otel_agentcost.receiver.otlp import decode_protobuf

    return decode_protobuf, [encode_spans(batch).SerializeToString() for batch in batches(llm_spans(spans, seed=1))]


def server_worker(directory: str, port: int) -> dict[str, Any]:
    """Run `serve` until SIGINT, then report what it stored and when everything it took was stored (it drains its
    queue into the store before it returns)."""
    from otel_agentcost.receiver.server import serve

    logging_quiet()
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn shuts down gracefully on SIGINT, then raises it again
        serve(f"chdb:{directory}", port=port)
    return {"stored": time.time(), "cpu": time.process_time(), **stored_size(directory, None)}


def sender_worker(spans: int, seed: int, port: int, encoded: bool) -> dict[str, Any]:
    """Build this sender's spans (or bodies), say `ready`, wait for `go` on stdin, send all, report when done."""
    items = batches(llm_spans(spans, seed))
    url = f"http://127.0.0.1:{port}/v1/traces"
    if encoded:
        send = encoded_sender(url, items)
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=url, timeout=60)

        def send() -> None:
            for batch in items:
                if exporter.export(batch).name != "SUCCESS":
                    raise SystemExit("the OTLP exporter reported a failure")

    print("ready", flush=True)
    sys.stdin.readline()
    cpu = time.process_time()
    send()
    return {"spans": spans, "finished": time.time(), "cpu_seconds": time.process_time() - cpu}


def encoded_sender(url: str, items: list[Sequence[Any]]) -> Any:
    import httpx2
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

    bodies = [encode_spans(batch).SerializeToString() for batch in items]
    headers = {"content-type": "application/x-protobuf"}

    def send() -> None:
        with httpx2.Client(timeout=60) as client:
            for body in bodies:
                while (response := client.post(url, content=body, headers=headers)).status_code == 429:
                    time.sleep(0.01)  # busy: retry soon (the SDK's exporter backs off for longer)
                if response.status_code != 200:
                    raise SystemExit(f"serve answered {response.status_code}: {response.text}")

    return send


def stored_size(directory: str, expected_rows: int | None) -> dict[str, Any]:
    """Rows and bytes per span of otel_traces, after merging its parts (as the table settles in use), and the CPU
    seconds that merge took (the merges still to come after a timed run: the engine's ceiling counts them)."""
    from otel_agentcost.store import open_store

    with open_store(f"chdb:{directory}") as store:
        started = time.process_time()
        store.command(OPTIMIZE.read_text())
        merge_cpu_seconds = time.process_time() - started
        (size,) = store.query((SQL / "ingest_bytes_per_span.sql").read_text(), {"database": store.database})
    if expected_rows is not None and size["rows"] != expected_rows:
        raise SystemExit(f"otel_traces holds {size['rows']} rows, expected {expected_rows}")
    return {**size, "merge_cpu_seconds": merge_cpu_seconds}


def logging_quiet() -> None:
    import logging

    logging.basicConfig(level=logging.WARNING)


# --- the driver -----------------------------------------------------------------------------------------------------


def run_worker(args: list[str], pythonpath: str | None) -> dict[str, Any]:
    result = subprocess.run(worker_command(args), env=worker_env(pythonpath), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"worker {args[0]} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.splitlines()[-1])


def worker_command(args: list[str]) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--worker", *args]


def worker_env(pythonpath: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [pythonpath, env.get("PYTHONPATH")]))
    return env


def measure_exporter(spans: int, size: int, pythonpath: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ingest-exporter-") as directory:
        return run_worker(["exporter", str(spans), directory, str(size)], pythonpath)


def measure_spooled(spans: int, size: int, pythonpath: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ingest-spooled-") as directory:
        return run_worker(["spooled", str(spans), directory, str(size)], pythonpath)


def measure_engine(spans: int, size: int, pythonpath: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ingest-engine-") as directory:
        return run_worker(["engine", str(spans), directory, str(size)], pythonpath)


def measure_serve(spans: int, senders: int, encoded: bool, pythonpath: str | None) -> dict[str, Any]:
    port = free_port()
    env = worker_env(pythonpath)
    with tempfile.TemporaryDirectory(prefix="ingest-serve-") as directory:
        server = subprocess.Popen(worker_command(["server", directory, str(port)]), env=env, stdout=subprocess.PIPE)
        try:
            wait_for_port(port, server)
            per_sender = spans // senders
            sent = run_senders(senders, per_sender, port, encoded, env, server.pid)
            started, server_cpu, finished, senders_cpu = sent
        finally:
            server.send_signal(signal.SIGINT)
            out, _ = server.communicate(timeout=300)
        size = json.loads(out.decode().splitlines()[-1])
    total = per_sender * senders
    if size["rows"] != total:
        raise RuntimeError(f"serve stored {size['rows']} rows, the senders sent {total}")
    return {
        "spans": total,
        "seconds": size["stored"] - started,
        "cpu_seconds": size["cpu"] - server_cpu,
        "acknowledged_seconds": finished - started,
        "senders_cpu_seconds": senders_cpu,
        **size,
    }


def run_senders(
    senders: int, per_sender: int, port: int, encoded: bool, env: dict[str, str], server: int
) -> tuple[float, float, float, float]:
    """Start the senders together; (when they started, the server's CPU seconds then, when the last finished, the
    CPU seconds they spent sending)."""
    args = [["sender", str(per_sender), str(100 + n), str(port), str(int(encoded))] for n in range(senders)]
    procs = [
        subprocess.Popen(worker_command(a), env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for a in args
    ]
    for proc in procs:
        if proc.stdout is None or proc.stdout.readline().strip() != "ready":
            raise RuntimeError("a sender failed while building its spans")
    started, server_cpu = time.time(), cpu_seconds(server)
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise RuntimeError("a sender failed; see its output above")
        results.append(json.loads(out.splitlines()[-1]))
    finished = max(result["finished"] for result in results)
    return started, server_cpu, finished, sum(result["cpu_seconds"] for result in results)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far, all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("serve exited before it listened")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"serve did not listen on port {port}")


def measurements(args: argparse.Namespace) -> list[tuple[str, int, Any]]:
    """(name, target, measure(pythonpath)) for each path into the store that --only selects."""
    senders = args.senders
    every = {
        "rows": (
            "exporter's Python share: SDK spans -> Arrow table, one core",
            EXPORTER_TARGET,
            lambda path: run_worker(["rows", str(args.spans)], path),
        ),
        "decode": (
            "serve's decoding: OTLP protobuf -> block, one core",
            SERVE_TARGET,
            lambda path: run_worker(["decode", str(args.spans)], path),
        ),
        "engine": (
            f"{ENGINE} of {args.store_batch}",
            EXPORTER_TARGET,
            lambda path: measure_engine(args.spans, args.store_batch, path),
        ),
        "exporter": (
            f"exporter -> chDB, batches of {BATCH} (the SDK's default)",
            EXPORTER_TARGET,
            lambda path: measure_exporter(args.spans, BATCH, path),
        ),
        "exporter-large": (
            f"exporter -> chDB, batches of {args.store_batch} (what init() asks for it)",
            EXPORTER_TARGET,
            lambda path: measure_exporter(args.spans, args.store_batch, path),
        ),
        "exporter-spooled": (
            f"exporter behind the spool, batches of {args.store_batch} (init()'s pipeline)",
            EXPORTER_TARGET,
            lambda path: measure_spooled(args.spans, args.store_batch, path),
        ),
        "serve": (
            f"serve, {senders} OTLPSpanExporter senders",
            SERVE_TARGET,
            lambda path: measure_serve(args.spans, senders, False, path),
        ),
        "serve-encoded": (
            f"serve, {senders} senders of pre-encoded bodies",
            SERVE_TARGET,
            lambda path: measure_serve(args.spans, senders, True, path),
        ),
    }
    return [every[name] for name in args.only]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    rows: list[list[Any]] = []
    notes = [NOTE.format(batch=BATCH, cpus=os.cpu_count(), repeat=args.repeat)]
    if args.against:
        notes.append(f"before = the otel_agentcost package in {args.against}, measured in the same run")
    found: dict[str, dict[str, Any]] = {}
    for key, (name, target, measure) in zip(args.only, measurements(args), strict=True):
        trees = [("before", args.against)] if args.against else []
        best = best_runs(measure, [*trees, ("this tree", None)], args.repeat)
        for code, result in best.items():
            rows.append(row(name, code, result, target, best.get("before")))
        after = found[key] = best["this tree"]
        print(f"{name}: {rate(after):,.0f} spans/s", file=sys.stderr)
        if "acknowledged_seconds" in after:
            acknowledged = after["spans"] / after["acknowledged_seconds"]
            notes.append(f"{name}: requests acknowledged at {acknowledged:,.0f} spans/s; {machine_share(after)}")
    if "rows" in found and "engine" in found:
        notes.append(exporter_ceiling(found["rows"], found["engine"]))
    columns = ["path", "code", "spans", "spans_per_s", "cpu_us_per_span", "target_spans_per_s", "bytes_per_span"]
    report = {"title": "Ingest", "columns": columns + (RATIOS if args.against else []), "rows": rows, "notes": notes}
    text = json.dumps(report, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)


def best_runs(measure: Any, trees: list[tuple[str, str | None]], repeat: int) -> dict[str, dict[str, Any]]:
    """The fastest of `repeat` runs for each code tree, the trees' runs interleaved so that a change in the machine's
    load hits them alike."""
    best: dict[str, dict[str, Any]] = {}
    for _ in range(repeat):
        for code, path in trees:
            result = measure(path)
            if code not in best or rate(result) > rate(best[code]):
                best[code] = result
    return best


def machine_share(serve: dict[str, Any]) -> str:
    """Whether serve is held back by the CPU: its time and its senders' against what the cores had to give."""
    serve_us, senders_us = (1e6 * serve[key] / serve["spans"] for key in ("cpu_seconds", "senders_cpu_seconds"))
    cores = os.cpu_count() or 1
    busy = (serve["cpu_seconds"] + serve["senders_cpu_seconds"]) / (cores * serve["seconds"])
    return (
        f"CPU a span: serve {serve_us:.1f} us, its senders {senders_us:.1f} us; together they kept the {cores} cores "
        f"{busy:.0%} busy"
    )


def exporter_ceiling(python: dict[str, Any], engine: dict[str, Any]) -> str:
    """The most the exporter could store on this machine: every span costs the Python share's CPU and the engine's
    (its inserts, and merging their parts into one), and at best the two fill every core with no wait between."""
    python_us = 1e6 * python["cpu_seconds"] / python["spans"]
    engine_us = 1e6 * (engine["cpu_seconds"] + engine["merge_cpu_seconds"]) / engine["spans"]
    cores = os.cpu_count() or 1
    ceiling = cores * 1e6 / (python_us + engine_us)
    return (
        f"the exporter's ceiling here, this tree: {cores} cores / ({python_us:.1f} us Python + {engine_us:.1f} us "
        f"engine a span, inserts and merges) = {ceiling:,.0f} spans/s with every core busy and no waiting "
        f"(target {EXPORTER_TARGET:,})"
    )


NOTE = (
    "batches of {batch} LLM-call spans from the real SDK; {cpus} CPUs, shared by serve and its senders; best of "
    "{repeat} run(s); cpu_us_per_span = CPU time of the storing process (exporter, or serve) per span; bytes per "
    "span = compressed bytes of otel_traces' parts after merging / rows"
)
RATIOS = ["speedup", "cpu_ratio"]


def rate(result: dict[str, Any]) -> float:
    return result["spans"] / result["seconds"]


def row(
    name: str, code: str, result: dict[str, Any], target: int, before: dict[str, Any] | None
) -> list[str | int | float | None]:
    cpu = result["cpu_seconds"] / result["spans"]
    cells: list[str | int | float | None] = [
        name,
        code,
        result["spans"],
        round(rate(result)),
        round(cpu * 1e6, 1),
        target,
    ]
    size = result["bytes_per_span"]
    cells.append(None if size is None else round(size, 1))
    if before is not None:
        cells += [round(rate(result) / rate(before), 2), round(before["cpu_seconds"] / before["spans"] / cpu, 2)]
    return cells


def worker(argv: list[str]) -> dict[str, Any]:
    kind, *rest = argv
    if kind == "exporter":
        return exporter_worker(int(rest[0]), rest[1], int(rest[2]))
    if kind in ("rows", "decode"):
        return conversion_worker(kind, int(rest[0]))
    if kind == "engine":
        return engine_worker(int(rest[0]), rest[1], int(rest[2]))
    if kind == "spooled":
        return spooled_worker(int(rest[0]), rest[1], int(rest[2]))
    if kind == "server":
        return server_worker(rest[0], int(rest[1]))
    if kind == "sender":
        return sender_worker(int(rest[0]), int(rest[1]), int(rest[2]), rest[3] == "1")
    raise SystemExit(f"unknown worker {kind!r}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run, for a smoke check")
    parser.add_argument("--out", help="write the JSON report here too")
    parser.add_argument("--spans", type=int, help="spans per measurement (default 100,000; 8,192 with --quick)")
    parser.add_argument("--senders", type=int, default=4, help="sending processes for serve (default 4)")
    parser.add_argument(
        "--store-batch",
        type=int,
        default=STORE_BATCH,
        help=f"spans per export for exporter-large and per block for engine (default {STORE_BATCH}, init()'s)",
    )
    parser.add_argument("--against", help="also measure the otel_agentcost package in this directory, for a ratio")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the best is reported")
    parser.add_argument(
        "--only", nargs="+", choices=PATHS, default=list(PATHS), help="measure only these paths (default: all)"
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.spans is None:
        args.spans = 8_192 if args.quick else 100_000
    return args


if __name__ == "__main__":
    main()
