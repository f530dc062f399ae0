"""Running a report: each of its queries over a store, for a window and filters, with the user's options bound."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from otel_agentcost.reports.catalog import MAIN, Report, Section
from otel_agentcost.reports.queries import ALL, load_query
from otel_agentcost.reports.window import TimeWindow
from otel_agentcost.store import QueryError, SchemaMissingError, Store

Row = dict[str, Any]

# The views that take the window are table functions to ClickHouse, so a store without them says "Unknown table
# function" (not "Unknown table", which the store already explains).
_MISSING_VIEW = re.compile(r"Unknown table function (agentcost_\w+)")


@dataclass(frozen=True)
class Filters:
    """Keep only calls and units of this service, agent (name or role) and model; None keeps all."""

    service: str | None = None
    agent: str | None = None
    model: str | None = None

    def parameters(self) -> dict[str, str]:
        return {"service": self.service or ALL, "agent": self.agent or ALL, "model": self.model or ALL}


@dataclass(frozen=True)
class ReportResult:
    report: Report
    window: TimeWindow
    sections: dict[str, list[Row]] = field(default_factory=dict)

    @property
    def rows(self) -> list[Row]:
        return self.sections[MAIN]

    @property
    def empty(self) -> bool:
        return not any(self.sections.values())


def run_query(
    store: Store,
    name: str,
    window: TimeWindow,
    filters: Filters | None = None,
    options: Mapping[str, Any] | None = None,
) -> list[Row]:
    """The rows of dashboards/<name>.sql; `options` sets its declared parameters (others keep their defaults)."""
    query = load_query(name)
    standard = {**window.parameters(), **(filters or Filters()).parameters()}
    try:
        return store.query(query.sql, query.bind(standard, dict(options or {})))
    except QueryError as error:
        missing = _MISSING_VIEW.search(str(error))
        if missing is None:
            raise
        raise SchemaMissingError(
            f"the view {missing.group(1)} does not exist in {store.url}; "
            f"create the schema with: otel-agentcost db init --store '{store.url}'"
        ) from error


def run_report(
    store: Store,
    report: Report,
    window: TimeWindow,
    filters: Filters | None = None,
    options: Mapping[str, Any] | None = None,
    on_section: Callable[[Section], None] | None = None,
) -> ReportResult:
    """Every section of `report`, in order; `on_section` is told before each query starts (progress display)."""
    result = ReportResult(report, window)
    for section in report.sections:
        if on_section is not None:
            on_section(section)
        result.sections[section.key] = run_query(store, section.query, window, filters, options)
    return result
