"""What Grafana and the grafana-clickhouse-datasource plugin do to a panel's SQL before ClickHouse runs it.

No Grafana can run here, so the two steps are reproduced from their sources:

1. In the browser, the plugin's `applyTemplateVariables` calls Grafana's `templateSrv.replace(rawSql, scopedVars,
   format)`: every `$name`, `[[name]]` or `${name:format}` of a dashboard variable becomes its value in that format.
   A variable set to "All" with a custom all value gives that value raw, except in the `text` and `percentencode`
   formats, which format it (grafana/scenes `CustomAllValue.formatter`, grafana `TemplateSrv`). `percentencode` is
   `encodeURIComponent` plus `!'()*` (Grafana's `encodeURIComponentStrict`). Names that are no variable (such as the
   plugin's `$__fromTime_ms`) are left alone.
2. In the plugin's backend, sqlds hands the SQL to grafana-plugin-sdk-go `sqlutil.Interpolate` with the plugin's
   macros (grafana/clickhouse-datasource pkg/macros): each `$__name` (a word boundary after the name), with a
   bracketed argument list only when `(` follows at once, is replaced by the macro's text, e.g. `$__fromTime_ms` by
   `fromUnixTimestamp64Milli(<ms>)` and `$__fromTime` by `toDateTime(<s>)`.

Only the formats and macros the generated dashboard uses are reproduced; anything else fails loudly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from otel_agentcost.reports import TimeWindow

ALL_OPTION = "$__all"  # the value of a variable set to "All"
_VARIABLE = re.compile(r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}")
_MACROS: dict[str, Callable[[TimeWindow], str]] = {
    "fromTime": lambda window: f"toDateTime({int(window.start.timestamp())})",
    "toTime": lambda window: f"toDateTime({int(window.end.timestamp())})",
    "fromTime_ms": lambda window: f"fromUnixTimestamp64Milli({_milliseconds(window.start)})",
    "toTime_ms": lambda window: f"fromUnixTimestamp64Milli({_milliseconds(window.end)})",
}


def panel_sql(sql: str, templating: list[dict[str, Any]], chosen: Mapping[str, str], window: TimeWindow) -> str:
    """The SQL ClickHouse receives for a panel or variable query: variables (`chosen` values, else each variable's
    current value in the dashboard) interpolated, then the plugin's macros expanded for `window`."""
    return expand_macros(replace_variables(sql, templating, chosen), window)


def replace_variables(sql: str, templating: list[dict[str, Any]], chosen: Mapping[str, str]) -> str:
    variables = {variable["name"]: variable for variable in templating}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(4)
        if name not in variables:
            return match.group(0)
        variable = variables[name]
        value = chosen.get(name, variable["current"]["value"])
        return _formatted(variable, value, match.group(3) or match.group(6))

    return _VARIABLE.sub(replace, sql)


def _formatted(variable: dict[str, Any], value: str, format_id: str | None) -> str:
    if format_id not in (None, "percentencode"):
        raise AssertionError(f"format {format_id!r} of ${{{variable['name']}}} is not reproduced here")
    if value == ALL_OPTION:
        if not variable.get("allValue"):
            raise AssertionError(f"${{{variable['name']}}} set to All has no custom all value")
        value = variable["allValue"]
        if format_id is None:
            return value
    return quote(value, safe="") if format_id == "percentencode" else value


def expand_macros(sql: str, window: TimeWindow) -> str:
    for name, expand in _MACROS.items():
        pattern = re.compile(rf"\$__{name}\b")
        while match := pattern.search(sql):
            end = match.end() + len(_arguments(sql[match.end() :]))
            sql = sql[: match.start()] + expand(window) + sql[end:]
    leftover = re.search(r"\$__\w+", sql)
    if leftover:
        raise AssertionError(f"macro {leftover.group(0)} is not reproduced here")
    return sql


def _arguments(rest: str) -> str:
    """The bracketed argument list right after a macro's name (sqlutil's parseArgs), or ''."""
    if not rest.startswith("("):
        return ""
    depth = 0
    for index, character in enumerate(rest):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth == 0:
            return rest[: index + 1]
    raise AssertionError("a macro's argument list has no closing bracket")


def _milliseconds(moment: Any) -> int:
    return round(moment.timestamp() * 1000)


def transform(rows: list[dict[str, Any]], steps: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """A panel's frame (field name -> values) after Grafana's `groupBy` (sum), `groupingToMatrix`, `organize`
    (renames) and `sortBy` transformations, as grafana/data implements them, over a query's rows."""
    frame = {name: [row[name] for row in rows] for name in rows[0]}
    for step in steps:
        frame = _TRANSFORMATIONS[step["id"]](frame, step["options"])
    return frame


def _group_by(frame: dict[str, list[Any]], options: dict[str, Any]) -> dict[str, list[Any]]:
    """Group keys and aggregates in the frame's field order; groups in order of first appearance; sum skips nulls."""
    fields = options["fields"]
    keys = [name for name in frame if fields.get(name, {}).get("operation") == "groupby"]
    sums = [name for name in frame if fields.get(name, {}).get("operation") == "aggregate"]
    if any(fields[name]["aggregations"] != ["sum"] for name in sums):
        raise AssertionError("only the sum aggregation is reproduced here")
    groups: dict[tuple[Any, ...], list[int]] = {}
    for index in range(len(frame[keys[0]])):
        groups.setdefault(tuple(frame[key][index] for key in keys), []).append(index)
    result = {key: [frame[key][indexes[0]] for indexes in groups.values()] for key in keys}
    for name in sums:
        result[f"{name} (sum)"] = [sum(frame[name][i] or 0 for i in indexes) for indexes in groups.values()]
    return result


def _grouping_to_matrix(frame: dict[str, list[Any]], options: dict[str, Any]) -> dict[str, list[Any]]:
    columns, rows, values = (frame[options[key]] for key in ("columnField", "rowField", "valueField"))
    empty = {"null": None, "zero": 0, "empty": ""}[options.get("emptyValue", "empty")]
    cells = {(column, row): value for column, row, value in zip(columns, rows, values, strict=True)}
    row_values = list(dict.fromkeys(rows))
    result = {f"{options['rowField']}\\{options['columnField']}": row_values}
    for column in dict.fromkeys(columns):
        result[str(column)] = [cells.get((column, row), empty) for row in row_values]
    return result


def _organize(frame: dict[str, list[Any]], options: dict[str, Any]) -> dict[str, list[Any]]:
    renames = options.get("renameByName", {})
    return {renames.get(name, name): values for name, values in frame.items()}


def _sort_by(frame: dict[str, list[Any]], options: dict[str, Any]) -> dict[str, list[Any]]:
    (sort,) = options["sort"]
    order = sorted(range(len(frame[sort["field"]])), key=frame[sort["field"]].__getitem__, reverse=sort["desc"])
    return {name: [values[i] for i in order] for name, values in frame.items()}


_TRANSFORMATIONS = {
    "groupBy": _group_by,
    "groupingToMatrix": _grouping_to_matrix,
    "organize": _organize,
    "sortBy": _sort_by,
}
