"""The dashboards as reports: the SQL in `dashboards/`, grouped and run by name over any store.

`REPORTS` names them (band-waste, heartbeat-drain, context, lanes, cost); `run_report` runs one for a time window;
the command line, the web page and the Grafana generator all start here.
"""

from __future__ import annotations

from otel_agentcost.reports.catalog import MAIN, REPORTS, Chart, Option, Report, Section
from otel_agentcost.reports.queries import ALL, Query, QueryDefinitionError, load_query, query_names
from otel_agentcost.reports.runner import Filters, ReportResult, run_query, run_report
from otel_agentcost.reports.window import TimeWindow

__all__ = [
    "ALL",
    "MAIN",
    "REPORTS",
    "Chart",
    "Filters",
    "Option",
    "Query",
    "QueryDefinitionError",
    "Report",
    "ReportResult",
    "Section",
    "TimeWindow",
    "load_query",
    "query_names",
    "run_query",
    "run_report",
]
