"""`otel-agentcost demo`: a simulated agent fleet run through the real SDKs into a local store, then the reports.

The newcomer's first command: no servers and no API keys. See otel_agentcost.demo for how the fleet runs.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from otel_agentcost.cli.options import UsageError
from otel_agentcost.demo.fleet import MAX_DAYS, build_fleet

DEFAULT_DAYS = 3
DEFAULT_SEED = 7
DEFAULT_DIRECTORY = "agentcost-demo"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run a simulated agent fleet through the real SDKs into a local store, then the reports",
        description="Simulate an agent fleet for a few days (heartbeats, sessions that inherit context, parallel "
        "sessions, PM lanes, tasks in every output band), through the real openai and anthropic SDKs and the "
        "instrumentation, against a stand-in LLM server on 127.0.0.1; store the spans in an embedded ClickHouse "
        "directory; print the reports. Takes seconds; needs no API key.",
    )
    parser.add_argument(
        "--store",
        metavar="URL",
        help=f"where to store the spans, e.g. chdb:DIR (default: a new directory ./{DEFAULT_DIRECTORY}, "
        f"./{DEFAULT_DIRECTORY}-2, ...)",
    )
    parser.add_argument(
        "--days", type=int, default=DEFAULT_DAYS, help=f"simulated days, 1 to {MAX_DAYS} (default {DEFAULT_DAYS})"
    )
    parser.add_argument(
        "--start", metavar="DATE", help="first simulated day, YYYY-MM-DD (default: DAYS days before today, UTC)"
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"seed of the fleet's variations (default {DEFAULT_SEED})"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from otel_agentcost.demo.backends import SDKMissingError
    from otel_agentcost.demo.run import run_demo  # imports the command line: loaded when the command runs
    from otel_agentcost.demo.simulation import TracingTakenError

    if not 1 <= args.days <= MAX_DAYS:
        raise UsageError(f"--days {args.days} is out of range: the demo simulates 1 to {MAX_DAYS} days")
    fleet = build_fleet(simulated_start(args.start, args.days), args.days, args.seed)
    store = args.store or f"chdb:{fresh_directory(Path(DEFAULT_DIRECTORY))}"
    try:
        return run_demo(fleet, store)
    except (SDKMissingError, TracingTakenError) as error:
        raise UsageError(str(error)) from None


def fresh_directory(base: Path) -> Path:
    """`base` if it does not exist yet, else the first of `base-2`, `base-3`, ... that does not."""
    candidate, number = base, 1
    while candidate.exists():
        number += 1
        candidate = base.with_name(f"{base.name}-{number}")
    return candidate


def simulated_start(text: str | None, days: int, today: date | None = None) -> datetime:
    """Midnight UTC of the first simulated day: `--start`, else `days` days before today, so that the simulated
    days end where today begins and `--since` windows up to now cover them."""
    if text is None:
        first = (today or datetime.now(timezone.utc).date()) - timedelta(days=days)
    else:
        try:
            first = date.fromisoformat(text.strip())
        except ValueError:
            raise UsageError(f"--start {text!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-03-02") from None
    return datetime.combine(first, time(), tzinfo=timezone.utc)
