"""`db init`: create what the dashboards read, in any store, any number of times.

The statements live in `sql/*.sql`, one per file, and run in the order of `STEPS` (more files there are the
queries that look at what is installed, and the row queries the rollups share). Values are bound parameters,
including the database name (`{database:Identifier}`). Some things cannot be bound and are written into the
statement as fixed fragments, marked `{{ name }}` in the statements (each file's header names the ones it has):
- on_cluster: empty, or `ON CLUSTER <cluster>`; the cluster name must be a plain identifier (letters, digits,
  underscores; see `identifiers.py`), which is the only check that makes it safe to write;
- engine / aggregating_engine: `MergeTree()` / `AggregatingMergeTree()`, or their `Replicated...()` forms on a
  cluster (replica path and name from the servers' `default_replica_path` / `default_replica_name`, i.e. their
  `{shard}` and `{replica}` macros);
- ttl, keys_ttl, units_ttl, sessions_ttl: empty, or a TTL clause (on otel_traces and on each rollup's own time
  column) whose number of days is itself a bound parameter;
- call_keys_rows, units_call_rows, units_outcome_rows, session_call_rows: the text of the `.sql` file of that name, a
  SELECT over otel_traces that both a rollup's materialized view and its backfill run, so that the two cannot differ.

The rollups (agentcost_call_keys, agentcost_units, agentcost_session_calls) are filled at insert time by
materialized views on otel_traces, the collector's inserts included. When `db init` installs them on a store that
already holds spans (an older install, or an otel_traces the collector created), it fills them from those spans
(`BACKFILL`); `rebuild_rollups` does the same on demand.

Running it again changes nothing: tables are created only when absent (an `otel_traces` the collector created is
left as it is), views are replaced by the same definition, the price table is refilled with the same rows, and the
schema version is recorded once. An install made by an older version is upgraded the same way, since every view
is replaced. On a cluster with several shards, `otel_traces` here is the local table; a Distributed table over it
is left to the operator.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from importlib import resources
from typing import Any, NamedTuple

from otel_agentcost.pricing import COLUMNS, ModelPrice, PriceTable
from otel_agentcost.store.identifiers import check_identifier
from otel_agentcost.store.interface import Store
from otel_agentcost.version import __version__

# Bump when a view or an agentcost table changes; `db init` records each version it installs in agentcost_schema.
SCHEMA_VERSION = 5
ROLLUPS_VERSION = 5  # the version that added the rollups: a store installed before it gets them filled by db init

PRICES_TABLE = "agentcost_prices"
LOAD_PRICES = "load prices"  # the step that inserts the price rows (a batch insert, not a .sql statement)
# Empty the rollups and fill them from the spans otel_traces holds: run by `db init` on a store installed before
# ROLLUPS_VERSION (or never), and by rebuild_rollups.
BACKFILL = (
    "call_keys_clear",
    "units_clear",
    "session_calls_clear",
    "call_keys_backfill",
    "units_calls_backfill",
    "units_outcomes_backfill",
    "session_calls_backfill",
)
STEPS = (
    "database",
    "otel_traces",
    "otel_traces_columns",
    "schema_versions",
    "prices",
    "prices_clear",
    LOAD_PRICES,
    "call_keys",
    "units",
    "session_calls",
    "call_keys_mv",
    "units_calls_mv",
    "units_outcomes_mv",
    "session_calls_mv",
    *BACKFILL,
    "model_prices",
    "price_map",
    "call_spans",
    "llm_calls_in",
    "llm_calls",
    "outcomes",
    "work_units",
    "selected_calls",
    "selected_units",
    "bands",
    "context_bleed",
    "session_groups",
    "schema_version_record",
)
ROW_QUERIES = ("call_keys_rows", "units_call_rows", "units_outcome_rows", "session_call_rows")
ROLLUPS = ("agentcost_call_keys", "agentcost_units", "agentcost_session_calls")
VIEWS = (
    "agentcost_model_prices",
    "agentcost_price_map",
    "agentcost_call_spans",
    "agentcost_llm_calls_in",
    "agentcost_llm_calls",
    "agentcost_outcomes",
    "agentcost_work_units",
    "agentcost_selected_calls",
    "agentcost_selected_units",
    "agentcost_bands",
    "agentcost_context_bleed",
    "agentcost_session_groups",
)

_TTL_CLAUSE = "TTL toDateTime({column}) + toIntervalDay({{ttl_days:UInt32}})"
_TTL_COLUMNS = {"ttl": "Timestamp", "keys_ttl": "day", "units_ttl": "last_seen_at", "sessions_ttl": "last_call_at"}
_FRAGMENT = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class Statement(NamedTuple):
    name: str
    sql: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class InitResult:
    database: str
    traces_created: bool  # False when otel_traces already existed (made by the collector or an earlier init)
    prices: int
    version: int
    previous_version: int | None  # what an earlier `db init` installed; None for a new install
    backfilled: bool = False  # the rollups were filled from spans stored before (an upgrade, a collector's table)


def init_schema(
    store: Store, *, ttl_days: int | None = None, cluster: str | None = None, prices: PriceTable | None = None
) -> InitResult:
    """Create or upgrade the database, otel_traces, the price table (refilled from `prices`, default
    `PriceTable.load()`) and the views, in `store.database`."""
    table = prices if prices is not None else PriceTable.load()
    rows = [_price_row(price) for price in table.rows()]
    statements = {statement.name: statement for statement in schema_statements(store.database, ttl_days, cluster)}
    traces_existed = table_exists(store, "otel_traces")
    previous_version = installed_version(store)
    backfill = traces_existed and (previous_version is None or previous_version < ROLLUPS_VERSION)
    for step in STEPS:
        if step == LOAD_PRICES:
            store.insert_rows(PRICES_TABLE, COLUMNS, rows)
        elif step in BACKFILL and not backfill:
            continue
        else:
            store.command(statements[step].sql, statements[step].parameters)
    return InitResult(store.database, not traces_existed, len(rows), SCHEMA_VERSION, previous_version, backfill)


def rebuild_rollups(store: Store, *, cluster: str | None = None) -> None:
    """Empty the rollups and fill them again from the spans otel_traces holds.

    `db init` does it once, when it installs them on a store with spans; after that the materialized views keep them.
    Needed again only when otel_traces changed other than by inserts (spans deleted or rewritten). Spans inserted
    while it runs may be counted twice: agentcost_call_keys then shows them as calls with two spans, and the views
    count those exactly from otel_traces, so the reports stay right (only slower, until the next rebuild)."""
    statements = {s.name: s for s in schema_statements(store.database, cluster=cluster)}
    for step in BACKFILL:
        store.command(statements[step].sql, statements[step].parameters)


def materialize_columns(store: Store, *, cluster: str | None = None) -> None:
    """Write the typed columns into the parts of otel_traces stored before `db init` added them, and wait.

    Optional: until then those parts compute the columns from the attribute maps when read (correct, only slower),
    and parts written or merged since have them. Worth it once after upgrading a large store."""
    store.command(_render(read_sql("materialize_columns"), {"on_cluster": _on_cluster(cluster)}), _db(store))


def schema_statements(database: str, ttl_days: int | None = None, cluster: str | None = None) -> list[Statement]:
    """Every statement of `db init` in order, rendered for these options (the price rows are not statements)."""
    if ttl_days is not None and ttl_days < 1:
        raise ValueError(f"ttl_days must be at least 1 day, got {ttl_days}")
    fragments = {
        "on_cluster": _on_cluster(cluster),
        "engine": "ReplicatedMergeTree()" if cluster else "MergeTree()",
        "aggregating_engine": "ReplicatedAggregatingMergeTree()" if cluster else "AggregatingMergeTree()",
        **{name: _ttl(column, ttl_days) for name, column in _TTL_COLUMNS.items()},
        **{name: read_sql(name) for name in ROW_QUERIES},
    }
    parameters: dict[str, Any] = {
        "database": check_identifier("database", database),
        "version": SCHEMA_VERSION,
        "package_version": __version__,
    }
    if ttl_days is not None:
        parameters["ttl_days"] = ttl_days
    statements = []
    for step in STEPS:
        if step != LOAD_PRICES:
            sql = _render(read_sql(step), fragments)
            used = {name: value for name, value in parameters.items() if "{" + name + ":" in sql}
            statements.append(Statement(step, sql, used))
    return statements


def read_sql(name: str) -> str:
    """The text of `sql/<name>.sql`."""
    return (resources.files(__package__) / "sql" / f"{name}.sql").read_text(encoding="utf-8")


def installed_version(store: Store) -> int | None:
    """The newest schema version `db init` recorded in this store, or None before the first init."""
    if not table_exists(store, "agentcost_schema"):
        return None
    (row,) = store.query(read_sql("installed_version"), _db(store))
    return row["version"] if row["installs"] else None


def _ttl(column: str, ttl_days: int | None) -> str:
    """The TTL clause on `column`, or nothing; the days stay a bound parameter."""
    return _TTL_CLAUSE.format(column=column) if ttl_days is not None else ""


def _on_cluster(cluster: str | None) -> str:
    return f"ON CLUSTER {check_identifier('cluster', cluster)}" if cluster else ""


def _render(sql: str, fragments: dict[str, str]) -> str:
    return _FRAGMENT.sub(lambda match: fragments[match.group(1)], sql)


def table_exists(store: Store, table: str) -> bool:
    """Whether `table` exists in the store's database (False too when the database does not exist)."""
    rows = store.query(read_sql("table_exists"), {**_db(store), "table": table})
    return rows[0]["n"] > 0


def _db(store: Store) -> dict[str, Any]:
    return {"database": store.database}


def _price_row(price: ModelPrice) -> tuple[Any, ...]:
    """The price in the order of pricing.COLUMNS (the table's columns), its date typed."""
    values = {**asdict(price), "as_of": date.fromisoformat(price.as_of) if price.as_of else None}
    return tuple(values[column] for column in COLUMNS)
