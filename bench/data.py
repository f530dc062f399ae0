"""Generated fleets of LLM-call spans in chDB, for the query benchmark: millions of spans in seconds, cached.

    python bench/data.py --calls 1000000 [--root /tmp/agentcost-bench]

The spans are made by the engine itself (`data_spans.sql`: INSERT ... SELECT over `numbers()`, a million calls per
statement), not by Python: 10M calls take minutes (7 on 2 busy cores), not hours. What they hold (sessions, tasks,
heartbeats, idle sessions, outcome spans, four models, both attribute spellings, calls seen twice, context bleed)
is described in that file's header. A fleet is a database `calls_<n>` in one chDB directory under `--root`, kept
between runs: a marker file records a digest of the generator and of the statements of `db init` that create
something only when it is absent (tables, materialized views, columns); a change to either makes the fleet again,
since `db init` would keep the old definition. The views, which it replaces, are refreshed by a `db init` each time a
fleet is opened. `db init` runs before the spans go in, as the collector's inserts would find it (its materialized
views fill the rollups as the spans go in). Once made, the tables are merged (OPTIMIZE ... FINAL): a settled store,
as background merges leave it when inserts pause.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import time
from datetime import datetime, timezone
from pathlib import Path

from otel_agentcost.store import Store, open_store
from otel_agentcost.store.schema import ROLLUPS, init_schema, schema_statements

ROOT = Path("/tmp/agentcost-bench")
BASE = datetime(2026, 9, 1, tzinfo=timezone.utc)
DAYS = 30
CALLS_PER_SESSION = 100
CHUNK = 1_000_000
_SQL = Path(__file__).with_name("data_spans.sql")
_OPTIMIZE = Path(__file__).parent / "sql" / "optimize_rollups.sql"


def fleet(calls: int, root: Path = ROOT) -> Store:
    """An open store holding a generated fleet of `calls` LLM calls, made now unless cached under `root`."""
    database = f"calls_{calls}"
    store = open_store(f"chdb:{root}?database={database}")
    marker = root / f"{database}.generated"
    if not marker.is_file() or marker.read_text() != _generator_id():
        generate(store, calls)
        marker.write_text(_generator_id())
    else:
        init_schema(store)
    return store


def generate(store: Store, calls: int) -> None:
    """Replace the store's database with a fresh schema and `calls` generated calls."""
    store.command("DROP DATABASE IF EXISTS {database:Identifier}", {"database": store.database})
    init_schema(store)
    sessions = max(calls // CALLS_PER_SESSION, 10)
    sql = _SQL.read_text(encoding="utf-8")
    for start in range(0, calls, CHUNK):
        parameters = {
            "start": start,
            "count": min(CHUNK, calls - start),
            "sessions": sessions,
            "per_session": math.ceil(calls / sessions),
            "days": DAYS,
            "base": BASE,
        }
        store.command(sql, parameters)
    store.command("OPTIMIZE TABLE otel_traces FINAL")
    settle(store)


def settle(store: Store) -> None:
    """Merge the rollups' parts, as their background merges do once inserts pause."""
    for table in ROLLUPS:
        store.command(_OPTIMIZE.read_text(encoding="utf-8"), {"table": table})


def _generator_id() -> str:
    """A digest of the spans' generator and of what `db init` creates only when it is absent."""
    digest = hashlib.sha256(_SQL.read_bytes())
    for statement in schema_statements("fleet"):
        if "IF NOT EXISTS" in statement.sql:
            digest.update(statement.sql.encode())
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args()
    started = time.perf_counter()
    with fleet(args.calls, args.root) as store:
        (row,) = store.query("SELECT count() AS spans, uniqExact(SpanKind) AS kinds FROM otel_traces")
    print(f"{args.calls:,} calls: {row['spans']:,} spans in {args.root} ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
