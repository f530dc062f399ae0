"""What the live page's address asks for: `/?since=7d&agent=pm&bands=5k,15k,30k`.

The query parameters are the `report` command's options without their dashes, read by the same parsers, so a
window or option that works on the command line works in the address and the errors read the same: `since` (or
`from` and `to`), the filters `service`, `agent` and `model`, and each report's own options (`bands`, `limit`,
`trivial-max`). `report=cost,lanes` keeps the page to those reports (all by default), as `report NAME` does. An
empty parameter (as a submitted form sends it) counts as not given.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from otel_agentcost.reports import REPORTS, Filters, Option, Report, TimeWindow

DEFAULT_SINCE = "30d"
REPORT = {"report": f"some of {','.join(REPORTS)} (default all)"}
WINDOW = {
    "since": f"e.g. 7d, 12h (default {DEFAULT_SINCE})",
    "from": "ISO 8601 start",
    "to": "ISO 8601 end (default now)",
}
FILTERS = {"service": "service.name", "agent": "agent name or role", "model": "model"}


class PageQueryError(ValueError):
    """A parameter the page cannot use; the message names it and what it accepts."""


@dataclass(frozen=True)
class PageQuery:
    window: TimeWindow
    filters: Filters = field(default_factory=Filters)
    options: dict[str, Any] = field(default_factory=dict)  # query parameter name -> parsed value
    reports: tuple[Report, ...] = tuple(REPORTS.values())

    def options_for(self, report: Report) -> dict[str, Any]:
        """The values of `report`'s own options, by the query parameter each sets."""
        return {
            option.parameter: self.options[name] for name, option in report_options().items()
            if name in self.options and option in report.options
        }  # fmt: skip


def report_options() -> dict[str, Option]:
    """Every report's own options by parameter name: the flag without its dashes (`--bands` is `bands`)."""
    options: dict[str, Option] = {}
    for report in REPORTS.values():
        for option in report.options:
            options.setdefault(option.flag.lstrip("-"), option)
    return options


def fields() -> dict[str, str]:
    """Every parameter the page reads, with a hint for the form."""
    return {**REPORT, **WINDOW, **FILTERS, **{name: option.help for name, option in report_options().items()}}


def parse_query(params: Mapping[str, str], now: datetime) -> PageQuery:
    """The window, filters and options `params` ask for; a PageQueryError names a value that cannot be used."""
    given = {name: value.strip() for name, value in params.items() if value.strip()}
    unknown = sorted(set(given) - set(fields()))
    if unknown:
        raise PageQueryError(f"unknown parameter {', '.join(unknown)}: the page reads {', '.join(fields())}")
    window = _window(given, now)
    filters = Filters(given.get("service"), given.get("agent"), given.get("model"))
    return PageQuery(window, filters, _options(given), _reports(given.get("report")))


def _reports(text: str | None) -> tuple[Report, ...]:
    if text is None:
        return tuple(REPORTS.values())
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in REPORTS]
    if unknown or not names:
        raise PageQueryError(f"report {text!r}: name one or more of {', '.join(REPORTS)}, separated by commas")
    return tuple(REPORTS[name] for name in dict.fromkeys(names))


def _window(given: Mapping[str, str], now: datetime) -> TimeWindow:
    # Imported here, not at the top: the command line imports this package (serve, report --html).
    from otel_agentcost.cli.options import UsageError, time_window

    options = argparse.Namespace(
        since=given.get("since"), start=given.get("from"), end=given.get("to"), default_since=DEFAULT_SINCE
    )
    try:
        return time_window(options, now)
    except UsageError as error:
        raise PageQueryError(str(error)) from None


def _options(given: Mapping[str, str]) -> dict[str, Any]:
    parsed = {}
    for name, option in report_options().items():
        if name in given:
            try:
                parsed[name] = option.parse(given[name])
            except ValueError as error:
                raise PageQueryError(f"{name}: {error}") from None
    return parsed
