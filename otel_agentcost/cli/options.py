"""Options every command shares, and how their values are read and printed.

- `--store URL` (default `AGENTCOST_STORE`, else the embedded default directory; see otel_agentcost.store.url);
- a time window: `--since 30d|12h|90m` (up to now), or `--from`/`--to` ISO 8601 datetimes (UTC unless they say
  otherwise; `--to` defaults to now);
- `--format table|json|csv`, where json is `{"rows": [...]}` with one object per row.
A bad value is a UsageError naming the option, the value and what is accepted; `main` prints it and exits 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, TextIO

from rich import box
from rich.console import Console
from rich.table import Table

from otel_agentcost.reports.window import TimeWindow
from otel_agentcost.store import STORE_ENV, default_store_url
from otel_agentcost.store.values import format_float

FORMATS = ("table", "json", "csv")
_DURATION = re.compile(r"(\d+)([wdhm])")
_UNIT = {"w": timedelta(weeks=1), "d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
_TABLE_DECIMALS = 6  # table cells round floats to micro-units (USD); json and csv keep every digit


class UsageError(ValueError):
    """A command-line value that cannot be used; the message names the option and what it accepts."""


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="URL",
        default=None,
        help=f"chdb:PATH or http(s)://user:password@host:8123/?database=otel (default: ${STORE_ENV}, "
        "else a chDB directory under ~/.local/share/otel-agentcost)",
    )


def store_url(args: argparse.Namespace) -> str:
    return args.store or default_store_url()


def add_window_options(parser: argparse.ArgumentParser, default_since: str = "30d") -> None:
    group = parser.add_argument_group("time window")
    group.add_argument(
        "--since", metavar="DURATION", help=f"e.g. 30d, 12h, 90m, 2w, up to now (default {default_since})"
    )
    group.add_argument("--from", dest="start", metavar="DATETIME", help="start, ISO 8601 (e.g. 2026-03-01T00:00Z)")
    group.add_argument("--to", dest="end", metavar="DATETIME", help="end, ISO 8601 (default: now)")
    parser.set_defaults(default_since=default_since)


def time_window(args: argparse.Namespace, now: datetime | None = None) -> TimeWindow:
    """The window the options describe; `--since` cannot be combined with `--from`/`--to`."""
    now = now or datetime.now(timezone.utc)
    if args.since is not None and (args.start is not None or args.end is not None):
        raise UsageError("--since cannot be combined with --from/--to: give a duration, or a start (and an end)")
    if args.start is None:
        since = args.since if args.since is not None else args.default_since
        end = _datetime("--to", args.end) if args.end is not None else now
        return TimeWindow(end - parse_duration(since), end)
    start = _datetime("--from", args.start)
    end = _datetime("--to", args.end) if args.end is not None else now
    if start >= end:
        raise UsageError(f"--from {args.start} is not before --to {args.end or 'now'}")
    return TimeWindow(start, end)


def parse_duration(text: str) -> timedelta:
    """`30d`, `12h`, `90m`, `2w`, or a sum like `1d12h`."""
    cleaned = text.strip().lower()
    parts = _DURATION.findall(cleaned)
    if not parts or "".join(f"{n}{u}" for n, u in parts) != cleaned:
        raise UsageError(f"--since {text!r} is not a duration: write a number and a unit, e.g. 30d, 12h, 90m or 2w")
    duration = sum((int(number) * _UNIT[unit] for number, unit in parts), timedelta())
    if not duration:
        raise UsageError(f"--since {text!r} is an empty window: give a duration longer than zero")
    return duration


def _datetime(option: str, text: str) -> datetime:
    cleaned = text.strip()
    if cleaned[-1:] in ("Z", "z"):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not an ISO 8601 date or datetime, e.g. 2026-03-01 or 2026-03-01T09:30:00Z"
        ) from None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


def add_filter_options(parser: argparse.ArgumentParser) -> None:
    """`--service`, `--agent`, `--model`: the filters every dashboard query takes (reports.Filters)."""
    filters = parser.add_argument_group("filters")
    filters.add_argument("--service", help="only calls of this service (resource service.name)")
    filters.add_argument("--agent", help="only calls of this agent name or role")
    filters.add_argument("--model", help="only calls to this model (the response model, else the request model)")


def add_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")


def write_rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], fmt: str, out: TextIO) -> None:
    """Rows as a table, `{"rows": [...]}` JSON, or CSV with a header line, in the order of `columns`."""
    if fmt == "json":
        json.dump({"rows": [{c: row.get(c) for c in columns} for row in rows]}, out, default=json_default)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([plain_text(row.get(c)) for c in columns] for row in rows)
    else:
        _write_table(rows, columns, out)


def _write_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], out: TextIO) -> None:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for column in columns:
        numeric = any(isinstance(row.get(column), (int, float, Decimal)) for row in rows)
        table.add_column(column, justify="right" if numeric else "left", no_wrap=True)
    for row in rows:
        table.add_row(*(plain_text(row.get(c), rounded=True) for c in columns))
    width = None if out.isatty() else 100_000  # piped: never wrap or cut a cell
    Console(file=out, width=width, highlight=False, emoji=False, markup=False).print(table)


def plain_text(value: Any, rounded: bool = False) -> str:
    """A value as CSV and plain tables write it: ISO dates, `true`/`false`, floats as ClickHouse prints them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_float(round(value, _TABLE_DECIMALS) if rounded else value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def json_default(value: Any) -> Any:
    """`json.dump`'s `default`: the typed values a store returns that JSON has no type for."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
