"""What the engine spends per stored span, part by part of the schema and by the format an insert arrives in.

    python bench/engine.py [--quick] [--out FILE] [--blocks N]

The ingest targets are mostly the engine's: this splits its insert cost. One process, one chDB directory, one
database per variant, background merges stopped (so that each figure is the insert alone: merges come later, and
`ingest.py` measures them with the rest). The same blocks of 16,384 LLM-call spans (`ingest.llm_spans`, built once)
go into every variant in turn, the order reversed every other round, and each variant's figure is the median CPU
time per span of its inserts. Variants, each adding to the one before:

- `collector table, no skip indexes`: otel_traces without the collector's five bloom filter and minmax indexes;
- `collector table`: otel_traces exactly as the collector creates it;
- `+ typed columns`: db init's materialized `agentcost_*` columns (computed from the maps at insert);
- `+ rollups (db init)`: the materialized views that keep agentcost_call_keys, agentcost_units and
  agentcost_session_calls: everything `db init` creates, what this project stores into.

and, on that full schema, each rollup view left out in turn (what that view costs), and the other ways a block can
arrive: the driver's Arrow (written to a temporary file for the engine to read back) and its Native blocks (what an
agent without pyarrow sends). Every variant but those two is sent as the embedded store sends: Arrow in memory.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from ingest import OPTIMIZE, SQL, in_memory_sender, llm_spans, native_block, native_sender

from otel_agentcost.store import Store, open_store
from otel_agentcost.store.arrow import block_table
from otel_agentcost.store.schema import init_schema, schema_statements
from otel_agentcost.store.spans import span_block

BLOCK = 16_384
DROP_SKIP_INDEXES = SQL / "drop_skip_indexes.sql"
START_MERGES = SQL / "start_merges.sql"
MERGED = ("bare", "collector", "typed", "full")  # the schemas that differ in what a merge of otel_traces rewrites
VIEWS = ("agentcost_call_keys_mv", "agentcost_units_calls_mv", "agentcost_units_outcomes_mv")
VIEWS += ("agentcost_session_calls_mv",)
# (label, database, how the schema is made, how blocks are sent, the database its difference is taken against)
VARIANTS = (
    ("collector table, no skip indexes", "bare", "collector-no-indexes", "memory", None),
    ("collector table", "collector", "collector", "memory", "bare"),
    ("+ typed columns", "typed", "typed", "memory", "collector"),
    ("+ rollups (db init)", "full", "full", "memory", "typed"),
    *(
        (f"db init without {view}", f"no_{index}", f"without:{view}", "memory", "full")
        for index, view in enumerate(VIEWS)
    ),
    ("db init, Arrow through a file (the driver's insert_arrow)", "file", "full", "file", "full"),
    ("db init, Native (the driver's, without pyarrow)", "native", "full", "native", "full"),
)


def make_schema(store: Store, how: str) -> None:
    if how in ("full",) or how.startswith("without:"):
        init_schema(store)
        if how.startswith("without:"):
            store.command("DROP VIEW {view:Identifier}", {"view": how.partition(":")[2]})
        return
    statements = {statement.name: statement for statement in schema_statements(store.database)}
    steps = ["database", "otel_traces"] + (["otel_traces_columns"] if how == "typed" else [])
    for step in steps:
        store.command(statements[step].sql, statements[step].parameters)
    if how == "collector-no-indexes":
        store.command(DROP_SKIP_INDEXES.read_text(encoding="utf-8"))


def sender(store: Store, how: str, table: Any, body: bytes) -> Any:
    """The insert of a block encoded beforehand (as an Arrow `table`, and as a Native `body`): called, it sends it
    and does nothing else."""
    client = store._client  # type: ignore[attr-defined]
    if how == "native":
        send_native = native_sender(client)
        return lambda: send_native(body)
    if how == "file":
        return lambda: client.insert_arrow("otel_traces", table, database=store.database)
    send_table = in_memory_sender(store)
    return lambda: send_table(table)


def merge_cpu(store: Store, spans: int) -> float:
    """CPU per span of merging otel_traces' parts into one, its merges let run alone: the least a stored span costs
    later (a table that keeps growing rewrites each row more than once as its parts merge up)."""
    store.command(START_MERGES.read_text(encoding="utf-8"))
    started = time.process_time()
    store.command(OPTIMIZE.read_text(encoding="utf-8"))
    return (time.process_time() - started) / spans * 1e6


def measure(blocks: int) -> tuple[dict[str, list[float]], dict[str, float]]:
    directory = tempfile.mkdtemp(prefix="bench-engine-")
    stores = {}
    for _, database, how, _, _ in VARIANTS:
        stores[database] = open_store(f"chdb:{directory}?database={database}")
        make_schema(stores[database], how)
    first = next(iter(stores.values()))
    first.command("SYSTEM STOP MERGES")
    client = first._client  # type: ignore[attr-defined]
    sends = []
    for seed in range(blocks + 1):
        block = span_block(llm_spans(BLOCK, seed=seed))
        table, body = block_table(block), native_block(client, [tuple(row) for row in block.rows()])
        sends.append({database: sender(stores[database], sent, table, body) for _, database, _, sent, _ in VARIANTS})
    gc.collect()
    gc.freeze()
    cpu: dict[str, list[float]] = {database: [] for _, database, _, _, _ in VARIANTS}
    for round_, by_database in enumerate(sends):
        order = list(by_database.items())
        for database, send in order if round_ % 2 else order[::-1]:
            started = time.process_time()
            send()
            if round_:  # the first round warms every variant up
                cpu[database].append((time.process_time() - started) / BLOCK * 1e6)
    merges = {database: merge_cpu(stores[database], BLOCK * len(sends)) for database in MERGED}
    for store in stores.values():
        store.close()
    return cpu, merges


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="2 blocks per variant: a smoke check")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--blocks", type=int, help="measured blocks per variant (default 8)")
    options = parser.parse_args()
    blocks = options.blocks or (2 if options.quick else 8)
    inserts, merges = measure(blocks)
    cpu = {database: statistics.median(times) for database, times in inserts.items()}
    rows = [
        [
            label,
            round(cpu[database], 1),
            None if against is None else round(cpu[database] - cpu[against], 1),
            round(merges[database], 1) if database in merges else None,
        ]
        for label, database, _, _, against in VARIANTS
    ]
    result = {
        "title": "Engine: CPU per stored span of an insert, by part of the schema and by insert format (chDB)",
        "columns": ["schema / format", "us/span (cpu)", "added us", "merge us/span (cpu)"],
        "rows": rows,
        "notes": [
            f"{blocks} blocks of {BLOCK:,} LLM-call spans per variant, one chDB process, background merges stopped; "
            "median CPU time of the inserts per span",
            "added us: over the schema before it (indexes, typed columns, rollups); for a view left out or another "
            "format, against the whole db init schema in memory (negative: what leaving that view out saves)",
            f"merge: OPTIMIZE FINAL of each schema's otel_traces once its {blocks + 1} blocks are in, merges let run "
            "for that table alone; CPU per span",
            engine_ceiling(cpu["full"] + merges["full"]),
        ],
    }
    print(json.dumps(result, indent=1))
    if options.out:
        options.out.write_text(json.dumps(result, indent=1))


def engine_ceiling(engine_us: float) -> str:
    """What the engine alone leaves possible on this machine, whatever the exporter's Python costs."""
    cores = os.cpu_count() or 1
    return (
        f"db init's schema: {engine_us:.1f} us of engine CPU a span (insert and one merge); on {cores} cores, at "
        f"most {cores * 1e6 / engine_us:,.0f} spans/s with no Python at all"
    )


if __name__ == "__main__":
    main()
