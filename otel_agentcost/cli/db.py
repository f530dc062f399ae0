"""`otel-agentcost db init`: create or upgrade what the dashboards read (see otel_agentcost.store.schema)."""

from __future__ import annotations

import argparse

from otel_agentcost.cli.options import UsageError, add_store_option, store_url
from otel_agentcost.pricing import PriceTable
from otel_agentcost.store import open_store
from otel_agentcost.store.schema import init_schema, materialize_columns, rebuild_rollups


def register(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="manage the store's schema")
    actions = db.add_subparsers(title="actions", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init",
        help="create the database, otel_traces, the price table and the views (safe to run again)",
        description="Create what the dashboards need. Works whether or not the collector already created "
        "otel_traces, changes nothing when run twice, and upgrades views of an older version.",
    )
    add_store_option(init)
    init.add_argument("--ttl-days", type=int, metavar="N", help="drop spans older than N days (new otel_traces only)")
    init.add_argument("--cluster", metavar="NAME", help="create everything ON CLUSTER NAME with replicated tables")
    init.add_argument(
        "--prices", metavar="FILE", help="user price CSV extending the bundled prices ($AGENTCOST_PRICES)"
    )
    init.add_argument(
        "--materialize",
        action="store_true",
        help="also write the typed columns into spans stored before this version (once, after upgrading a large "
        "store; until then they are computed when read)",
    )
    init.add_argument(
        "--rebuild-rollups",
        action="store_true",
        help="also empty the rollups the dashboards read and fill them again from otel_traces (only needed after "
        "spans were deleted or rewritten there; db init fills them by itself when it installs them)",
    )
    init.set_defaults(run=run_init)


def run_init(args: argparse.Namespace) -> int:
    if args.ttl_days is not None and args.ttl_days < 1:
        raise UsageError(f"--ttl-days {args.ttl_days} is not a number of days: give 1 or more")
    prices = PriceTable.load(args.prices)
    with open_store(store_url(args)) as store:
        result = init_schema(store, ttl_days=args.ttl_days, cluster=args.cluster, prices=prices)
        traces = "created" if result.traces_created else "already there, kept"
        print(
            f"database {result.database} ready in {store.url}: otel_traces {traces}, {result.prices} prices loaded, "
            f"views at version {result.version}{_upgrade(result.previous_version, result.version)}"
        )
        if result.backfilled:
            print("rollups filled from the spans stored before")
        if args.rebuild_rollups:
            rebuild_rollups(store, cluster=args.cluster)
            print("rollups rebuilt from otel_traces")
        if args.materialize:
            materialize_columns(store, cluster=args.cluster)
            print("typed columns written into the spans stored before")
    return 0


def _upgrade(previous: int | None, current: int) -> str:
    return f" (upgraded from version {previous})" if previous is not None and previous != current else ""
