"""`otel-agentcost report NAME`: a report from the dashboards' SQL in the terminal, as JSON or CSV, or a web page.

Table output shows every section of the report under its title, numbers formatted for people. JSON is
`{"rows": [...]}` (the main section, the design's contract) with each drill-down section under its own key; CSV is
one section (the main one unless `--section` names another). `--html FILE` writes every report (or the one named)
to one self-contained page.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, TextIO

from rich import box
from rich.console import Console
from rich.table import Table

from otel_agentcost.cli.options import (
    UsageError,
    add_filter_options,
    add_format_option,
    add_store_option,
    add_window_options,
    json_default,
    plain_text,
    store_url,
    time_window,
)
from otel_agentcost.reports import MAIN, REPORTS, Filters, Option, Report, ReportResult, Section, run_report
from otel_agentcost.reports.formatting import column_title, format_value, is_numeric
from otel_agentcost.reports.window import TimeWindow
from otel_agentcost.store import Store, open_store
from otel_agentcost.store.schema import SCHEMA_VERSION, installed_version

TABLE_ROWS = 25  # per section in the terminal; JSON and CSV have every row


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="band waste, heartbeat drain, inherited context, lanes or cost, over a time window",
        description="Run one of the bundled dashboards over the store. Reports: "
        + "; ".join(f"{report.name}: {report.summary}" for report in REPORTS.values()),
    )
    parser.add_argument("name", nargs="?", choices=list(REPORTS), metavar="NAME", help=", ".join(REPORTS))
    add_store_option(parser)
    add_window_options(parser)
    add_format_option(parser)
    parser.add_argument("--section", metavar="KEY", help="with --format csv: the drill-down section to write")
    parser.add_argument("--html", metavar="FILE", help="write the reports (all, or NAME) to one self-contained page")
    add_filter_options(parser)
    for option in _report_options():
        users = ", ".join(report.name for report in REPORTS.values() if option in report.options)
        parser.add_argument(option.flag, dest=option.parameter, metavar=option.metavar, help=f"{users}: {option.help}")
    parser.set_defaults(run=run)


def _report_options() -> list[Option]:
    unique = {}
    for report in REPORTS.values():
        for option in report.options:
            unique.setdefault(option.flag, option)
    return list(unique.values())


def run(args: argparse.Namespace) -> int:
    if args.name is None and args.html is None:
        raise UsageError(f"name a report ({', '.join(REPORTS)}) or give --html FILE")
    reports = [REPORTS[args.name]] if args.name else list(REPORTS.values())
    options = _options(args, reports)
    window = time_window(args)
    filters = Filters(args.service, args.agent, args.model)
    if args.section is not None:
        _check_section(args, reports[0])
    with open_store(store_url(args)) as store:
        _check_schema(store)
        results = [_run(store, report, window, filters, options) for report in reports]
    if args.html is not None:
        return _write_page(results, args, filters)
    _write(results[0], args, sys.stdout)
    if results[0].empty:
        print(_no_data(window, args), file=sys.stderr)
    return 0


def _write_page(results: list[ReportResult], args: argparse.Namespace, filters: Filters) -> int:
    from otel_agentcost.web import render_page  # the chart library loads only for pages

    page = render_page(results, store_label=store_url(args), generated_at=datetime.now(timezone.utc), filters=filters)
    try:
        with open(args.html, "w", encoding="utf-8") as out:
            out.write(page)
    except OSError as error:
        raise UsageError(f"--html {args.html}: cannot write the page: {error.strerror or error}") from None
    print(f"wrote {args.html}: {', '.join(result.report.name for result in results)}", file=sys.stderr)
    return 0


def _options(args: argparse.Namespace, reports: list[Report]) -> dict[str, Any]:
    """The report options the user gave, parsed; one that none of the chosen reports takes is an error."""
    chosen = {}
    for option in _report_options():
        text = getattr(args, option.parameter)
        if text is None:
            continue
        if not any(option in report.options for report in reports):
            raise UsageError(f"{option.flag} does not apply to report {args.name}")
        try:
            chosen[option.parameter] = option.parse(text)
        except ValueError as error:
            raise UsageError(f"{option.flag}: {error}") from None
    return chosen


def _check_section(args: argparse.Namespace, report: Report) -> None:
    keys = [section.key for section in report.sections]
    if args.format != "csv":
        raise UsageError("--section only applies to --format csv (json holds every section, table shows them all)")
    if args.section not in keys:
        raise UsageError(f"report {report.name} has no section {args.section!r}; its sections: {', '.join(keys)}")


def _check_schema(store: Store) -> None:
    version = installed_version(store)
    if version is not None and version < SCHEMA_VERSION:
        raise UsageError(
            f"the views in {store.url} are version {version}, this otel-agentcost reads version {SCHEMA_VERSION}: "
            f"upgrade them with: otel-agentcost db init --store '{store.url}'"
        )


def _run(store: Store, report: Report, window: TimeWindow, filters: Filters, options: dict[str, Any]) -> ReportResult:
    applicable = {key: value for key, value in options.items() if any(o.parameter == key for o in report.options)}
    with _progress(report) as tell:
        return run_report(store, report, window, filters, applicable, on_section=tell)


@contextmanager
def _progress(report: Report) -> Iterator[Any]:
    """A spinner on stderr naming the query that runs (shown only on a terminal, so pipes stay clean)."""
    console = Console(stderr=True)
    with console.status(f"{report.title}…") as status:

        def tell(section: Section) -> None:
            status.update(f"{report.title}: {section.title}…")

        yield tell


def _write(result: ReportResult, args: argparse.Namespace, out: TextIO) -> None:
    if args.format == "json":
        json.dump(result.sections, out, default=json_default)
        out.write("\n")
    elif args.format == "csv":
        _write_csv(result.sections[args.section or MAIN], out)
    elif not result.empty:
        _write_tables(result, out)


def _write_csv(rows: Sequence[dict[str, Any]], out: TextIO) -> None:
    if not rows:
        return
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    writer.writerows([plain_text(value) for value in row.values()] for row in rows)


def _write_tables(result: ReportResult, out: TextIO) -> None:
    width = None if out.isatty() else 100_000  # piped: never wrap a cell
    console = Console(file=out, width=width, highlight=False, emoji=False, markup=False)
    window = result.window
    console.print(f"{result.report.title}, {_when(window.start)} to {_when(window.end)} UTC")
    for section in result.report.sections:
        rows = result.sections[section.key]
        console.print()
        if not rows:
            console.print(f"{section.title}: none")
            continue
        console.print(_table(section, rows[:TABLE_ROWS]))
        if len(rows) > TABLE_ROWS:
            named = "" if section.key == MAIN else f" --section {section.key}"
            hidden = len(rows) - TABLE_ROWS
            console.print(f"… {hidden:,} more row{'s' if hidden > 1 else ''}: --format csv{named} writes them all")


def _table(section: Section, rows: Sequence[dict[str, Any]]) -> Table:
    table = Table(title=section.title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
    columns = list(section.shown or rows[0])
    for column in columns:
        numeric = any(is_numeric(row[column]) for row in rows)
        table.add_column(column_title(column), justify="right" if numeric else "left", overflow="fold")
    for row in rows:
        table.add_row(*(format_value(column, row[column]) for column in columns))
    return table


def _no_data(window: TimeWindow, args: argparse.Namespace) -> str:
    return (
        f"No data for this report between {_when(window.start)} and {_when(window.end)} UTC in {store_url(args)}. "
        "Widen the window (e.g. --since 90d), loosen the filters, or check that spans reach this store "
        "(otel-agentcost serve, or AGENTCOST_STORE in the agent); `otel-agentcost demo` fills a store to try."
    )


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")
