"""The Grafana dashboard, generated from the catalog and the same dashboards/*.sql the command line runs.

Every report of `REPORTS` becomes a row; every section a panel (its chart, per the section's Chart, beside a table
of all its columns; a table alone when it has no chart). The panels query the `grafana-clickhouse-datasource` plugin
through a datasource variable, so the JSON both imports through the UI and provisions from files.

A query's ClickHouse parameters become what Grafana fills in:
- `{from:T}` / `{to:T}`: the plugin's time macros, `CAST($__fromTime_ms() AS T)` (milliseconds; the plugin expands
  `$__fromTime_ms` to `fromUnixTimestamp64Milli(<ms>)`, and the empty brackets keep its argument parser off the
  SQL that follows);
- `{service:String}`, `{agent:String}`, `{model:String}` and each declared `@param`: dashboard variables, written as
  `decodeURLComponent('${name:percentencode}')`. Percent-encoding leaves only `[A-Za-z0-9_.~%-]` inside the quotes,
  so any value is one valid string literal (Grafana's `sqlstring` format doubles quotes but keeps backslashes, which
  ClickHouse reads as escapes). The filters' "All" is the custom all value `*`, the queries' "all" (Grafana
  percent-encodes a custom all value too, and older Grafana inserts it raw: both decode to `*`). Declared parameters
  are textbox variables holding their default, cast to the placeholder's type (`CAST(trimBoth(...) AS T)`), so a
  mistyped value fails with ClickHouse's message naming it.

`python -m otel_agentcost.reports.grafana [DIR]` rewrites the JSON (default: dashboards/grafana/).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from otel_agentcost.reports.catalog import REPORTS, Chart, Report, Section
from otel_agentcost.reports.formatting import column_title
from otel_agentcost.reports.queries import ALL, Parameter, Query, QueryDefinitionError, dashboards_dir, load_query

PLUGIN = "grafana-clickhouse-datasource"
PLUGIN_VERSION = "4.0.0"  # the plugin's query model (editorType, rawSql) since v4; older queries get migrated
DATASOURCE = {"type": PLUGIN, "uid": "${datasource}"}
PROVISIONED_DATASOURCE = "agentcost-clickhouse"  # collector-config's datasource: the variable's first choice
DASHBOARD_UID = "otel-agentcost"
FILE_NAME = f"{DASHBOARD_UID}.json"
SCHEMA_VERSION = 39  # Grafana 11.0; later versions migrate it on load
FILTERS = {"service": "Service", "agent": "Agent or role", "model": "Model"}
VARIABLE_QUERIES = "grafana/variables"  # their SQL: dashboards/grafana/variables/<filter>.sql

# ClickHouse query parameters, as queries.py reads them.
_PLACEHOLDER = re.compile(r"\{(\w+):([^{}]+)\}")
_TIME_MACROS = {"from": "$__fromTime_ms()", "to": "$__toTime_ms()"}

# Column naming conventions -> Grafana field config, as regular expressions on the column name. Grafana anchors an
# override's pattern as `^pattern$` (so alternatives go in a group), which is what re.fullmatch does.
_CONVENTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    (".*_usd", {"unit": "currencyUSD"}),
    (".*_share", {"unit": "percentunit", "decimals": 1}),
    (".*grade", {"unit": "none", "decimals": 3, "min": 0, "max": 1}),
    (".*_minutes", {"unit": "m", "decimals": 1}),
    ("(?:calls|.*_calls|units|.*_units|.*_tokens)", {"unit": "locale", "decimals": 0}),
    (".*_at", {"unit": "dateTimeAsIso"}),
    ("day", {"unit": "time:YYYY-MM-DD"}),
    ("idle", {"unit": "bool_yes_no"}),
)

_ROW_HEIGHT = 1
_PANEL_HEIGHT = 9
_WIDTH = 24


def grafana_sql(query: Query) -> str:
    """The query's text for a panel target: its parameters become the plugin's macros and dashboard variables."""
    return _PLACEHOLDER.sub(lambda match: _expression(match.group(1), match.group(2).strip()), query.sql)


def _expression(name: str, clickhouse_type: str) -> str:
    if name in _TIME_MACROS:
        return f"CAST({_TIME_MACROS[name]} AS {clickhouse_type})"
    value = f"decodeURLComponent('${{{name}:percentencode}}')"
    return value if clickhouse_type == "String" else f"CAST(trimBoth({value}) AS {clickhouse_type})"


def field_config(column: str) -> dict[str, Any]:
    """The Grafana unit (and decimals, range) of a column, from its name; {} when no convention applies."""
    for pattern, config in _CONVENTIONS:
        if re.fullmatch(pattern, column):
            return dict(config)
    return {}


def dashboard(reports: Iterable[Report] = REPORTS.values()) -> dict[str, Any]:
    """The dashboard JSON: a row per report, in catalog order."""
    chosen = list(reports)
    return {
        "__requires": [
            {"type": "grafana", "id": "grafana", "name": "Grafana", "version": "11.0.0"},
            {"type": "datasource", "id": PLUGIN, "name": "ClickHouse", "version": PLUGIN_VERSION},
        ],
        "annotations": {"list": []},
        "description": "LLM cost of agents: band waste, heartbeat drain, inherited context, lanes and cost "
        "(otel-agentcost, generated from its dashboards/*.sql)",
        "editable": True,
        "graphTooltip": 1,
        "id": None,
        "links": [],
        "panels": _panels(chosen),
        "refresh": "",
        "schemaVersion": SCHEMA_VERSION,
        "tags": ["otel-agentcost", "llm", "cost"],
        "templating": {"list": _variables(chosen)},
        "time": {"from": "now-30d", "to": "now"},
        "timepicker": {},
        "timezone": "utc",
        "title": "otel-agentcost",
        "uid": DASHBOARD_UID,
        "version": 1,
    }


def render(board: dict[str, Any]) -> str:
    return json.dumps(board, indent=2) + "\n"


def write(directory: Path, reports: Iterable[Report] = REPORTS.values()) -> Path:
    """Write the dashboard into `directory` (created if needed); its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / FILE_NAME
    path.write_text(render(dashboard(reports)), encoding="utf-8")
    return path


# Variables


def _variables(reports: Sequence[Report]) -> list[dict[str, Any]]:
    datasource = {
        "type": "datasource",
        "name": "datasource",
        "label": "Data source",
        "query": PLUGIN,
        "current": {"text": PROVISIONED_DATASOURCE, "value": PROVISIONED_DATASOURCE},
        "regex": "",
        "hide": 0,
        "refresh": 1,
        "includeAll": False,
        "multi": False,
        "options": [],
    }
    filters = [_filter_variable(name, label) for name, label in FILTERS.items()]
    return [datasource, *filters, *(_textbox(parameter) for parameter in declared_parameters(reports))]


def _filter_variable(name: str, label: str) -> dict[str, Any]:
    sql = grafana_sql(load_query(f"{VARIABLE_QUERIES}/{name}"))
    return {
        "type": "query",
        "name": name,
        "label": label,
        "datasource": DATASOURCE,
        "query": {"refId": f"{name}-choices", "editorType": "sql", "queryType": "sql", "rawSql": sql},
        "definition": sql,
        "refresh": 2,  # on time range change: the choices come from the window
        "includeAll": True,
        "allValue": ALL,
        "multi": False,
        "current": {"text": "All", "value": "$__all"},
        "options": [],
        "regex": "",
        "sort": 0,
        "hide": 0,
    }


def _textbox(parameter: Parameter) -> dict[str, Any]:
    text = parameter_text(parameter.default)
    return {
        "type": "textbox",
        "name": parameter.name,
        "label": column_title(parameter.name),
        "description": f"{parameter.description} ({parameter.type})",
        "query": text,
        "current": {"text": text, "value": text},
        "options": [{"selected": True, "text": text, "value": text}],
        "hide": 0,
    }


def parameter_text(default: Any) -> str:
    """A declared default as the text a person types and ClickHouse parses back: `20`, `0.1`, `[5000,15000,30000]`."""
    return default if isinstance(default, str) else json.dumps(default, separators=(",", ":"))


def declared_parameters(reports: Iterable[Report]) -> list[Parameter]:
    """The declared parameters of the reports' queries, one per name (a dashboard has one variable per name)."""
    found: dict[str, tuple[str, Parameter]] = {}
    for report in reports:
        for section in report.sections:
            for parameter in load_query(section.query).parameters.values():
                first = found.setdefault(parameter.name, (section.query, parameter))
                if (first[1].type, first[1].default) != (parameter.type, parameter.default):
                    raise QueryDefinitionError(
                        f"@param {parameter.name} differs between dashboards/{first[0]}.sql ({first[1].type}, "
                        f"{first[1].default!r}) and dashboards/{section.query}.sql ({parameter.type}, "
                        f"{parameter.default!r}): the Grafana dashboard has one variable per name, make them agree"
                    )
    return [parameter for _, parameter in found.values()]


# Panels


def _panels(reports: Sequence[Report]) -> list[dict[str, Any]]:
    panels: list[dict[str, Any]] = []
    y = 0
    for report in reports:
        panels.append(_row(report, y, len(panels) + 1))
        y += _ROW_HEIGHT
        for section in report.sections:
            for x, width, panel in _section_panels(report, section):
                grid = {"h": _PANEL_HEIGHT, "w": width, "x": x, "y": y}
                panels.append({"id": len(panels) + 1, "gridPos": grid, **panel})
            y += _PANEL_HEIGHT
    return panels


def _row(report: Report, y: int, panel_id: int) -> dict[str, Any]:
    grid = {"h": _ROW_HEIGHT, "w": _WIDTH, "x": 0, "y": y}
    return {"id": panel_id, "type": "row", "title": report.title, "collapsed": False, "gridPos": grid, "panels": []}


def _section_panels(report: Report, section: Section) -> list[tuple[int, int, dict[str, Any]]]:
    """(x, width, panel) of a section's panels on one line: its chart beside its table, or the table alone."""
    if section.chart is None:
        return [(0, _WIDTH, _table(report, section, section.title))]
    half = _WIDTH // 2
    table = _table(report, section, f"{section.title}: table")
    return [(0, half, _chart(report, section, section.chart)), (half, half, table)]


def _base(report: Report, section: Section, kind: str, title: str) -> dict[str, Any]:
    query = load_query(section.query)
    return {
        "type": kind,
        "title": title,
        "description": f"{report.summary}\n\n{_first_paragraph(query.header)}",
        "datasource": DATASOURCE,
        "targets": [
            {
                "refId": "A",
                "datasource": DATASOURCE,
                "editorType": "sql",
                "format": 1,  # table: the transformations below shape it
                "queryType": "table",
                "pluginVersion": PLUGIN_VERSION,
                "rawSql": grafana_sql(query),
            }
        ],
    }


def _first_paragraph(text: str) -> str:
    return text.strip().split("\n\n", 1)[0].replace("\n", " ")


def _table(report: Report, section: Section, title: str) -> dict[str, Any]:
    return {
        **_base(report, section, "table", title),
        "fieldConfig": {"defaults": {}, "overrides": _convention_overrides()},
        "options": {"showHeader": True, "cellHeight": "sm", "footer": {"show": False}},
    }


def _convention_overrides() -> list[dict[str, Any]]:
    return [
        {
            "matcher": {"id": "byRegexp", "options": pattern},
            "properties": [{"id": key, "value": value} for key, value in config.items()],
        }
        for pattern, config in _CONVENTIONS
    ]


def _chart(report: Report, section: Section, chart: Chart) -> dict[str, Any]:
    if chart.series is not None and len(chart.y) != 1:
        raise QueryDefinitionError(
            f"section {section.key!r} of {report.name}: a chart with series draws one y column, not {chart.y}"
        )
    kind = panel_type(chart)
    options: dict[str, Any] = {
        "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
        "tooltip": {"mode": "multi", "sort": "none"},
    }
    if kind != "timeseries":
        options["xField"] = chart.x
    defaults = field_config(chart.y[0]) if chart.series else {}
    return {
        **_base(report, section, kind, section.title),
        "transformations": chart_transformations(chart),
        "fieldConfig": {"defaults": defaults, "overrides": [] if chart.series else _convention_overrides()},
        "options": options,
    }


def panel_type(chart: Chart) -> str:
    """Bars; lines over time (a `day` or `*_at` x); lines over any other x (e.g. a task's index) as a trend."""
    if chart.kind == "bar":
        return "barchart"
    return "timeseries" if chart.x == "day" or chart.x.endswith("_at") else "trend"


def chart_transformations(chart: Chart) -> list[dict[str, Any]]:
    """Sum the y columns per x (and series value), then one column per series value; lines sorted along x.

    Summing keeps a chart right when its query has several rows per x (a day's sessions, a role's models): the y
    columns drawn are additive (cost, tokens), and a sum of one row is that row.
    """
    keys = [chart.x] if chart.series is None else [chart.x, chart.series]
    fields: dict[str, Any] = {key: {"operation": "groupby", "aggregations": []} for key in keys}
    fields.update({y: {"operation": "aggregate", "aggregations": ["sum"]} for y in chart.y})
    steps: list[dict[str, Any]] = [{"id": "groupBy", "options": {"fields": fields}}]
    if chart.series is None:
        renames = {f"{y} (sum)": y for y in chart.y}
    else:
        matrix = {"columnField": chart.series, "rowField": chart.x, "valueField": f"{chart.y[0]} (sum)"}
        steps.append({"id": "groupingToMatrix", "options": {**matrix, "emptyValue": "null"}})
        renames = {f"{chart.x}\\{chart.series}": chart.x}
    steps.append({"id": "organize", "options": {"renameByName": renames}})
    if chart.kind == "line":
        steps.append({"id": "sortBy", "options": {"sort": [{"field": chart.x, "desc": False}]}})
    return steps


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m otel_agentcost.reports.grafana", description="Write the Grafana dashboard JSON."
    )
    default = dashboards_dir() / "grafana"
    parser.add_argument("directory", nargs="?", type=Path, default=default, help=f"default {default}")
    args = parser.parse_args(argv)
    try:
        path = write(args.directory)
    except QueryDefinitionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
