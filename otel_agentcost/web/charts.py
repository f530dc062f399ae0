"""A report section's chart as inline SVG, drawn on the server by pygal: no script, no font or file to fetch.

The catalog's Chart says what to draw (bars or lines of the `y` columns against `x`, one series per value of
`series`); this module turns a section's rows into that picture. Rows that share an `x` and a series add up (the
lanes report has a row per model inside each group; the daily heartbeat rows one per session inside each day),
and a date axis has every day of its range, a day without rows at zero, so a quiet day shows as a dip instead of
vanishing. Long sections are cut to the first categories and series in the query's order (the queries sort
costliest first) and the chart says what it left out; the table below it has every row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pygal
from pygal.style import Style

from otel_agentcost.reports import Chart
from otel_agentcost.reports.formatting import column_title, format_value

MAX_CATEGORIES = {"bar": 30, "line": 400}
MAX_SERIES = 10
_MANY_LABELS = 16  # beyond this, a line chart labels only some of its x values
# Sizes in pixels: the chart's natural size (narrower screens shrink it), and what decides slanting the x labels.
_MAX_WIDTH, _MIN_WIDTH, _HEIGHT = 800, 360, 340
_BAR_PX, _Y_LABELS_PX, _LABEL_CHAR_PX = 90, 120, 7
# Okabe and Ito's palette: told apart by people with any common colour-vision deficiency.
_COLORS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#999999", "#000000")
_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#444",
    foreground_strong="#222",
    foreground_subtle="#ddd",
    guide_stroke_color="#d8dee4",
    major_guide_stroke_color="#b8c0c8",
    guide_stroke_dasharray="3,3",
    major_guide_stroke_dasharray="3,3",
    opacity="0.9",
    opacity_hover="1",
    colors=_COLORS,
    font_family='system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    tooltip_font_size=13,
    value_font_size=12,
)
NO_VALUE = "(none)"  # the label of an empty x or series value (e.g. calls without a trigger)

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Plot:
    """A chart's data: the x labels and, per series, one value per label (None: no point there)."""

    labels: list[str]
    series: dict[str, list[float | None]]
    categories_left_out: int = 0
    series_left_out: int = 0

    @property
    def note(self) -> str:
        """What the chart does not show, for its caption; '' when it shows everything."""
        parts = []
        if self.categories_left_out:
            shown = len(self.labels)
            parts.append(f"the first {shown} of {shown + self.categories_left_out} values on the axis")
        if self.series_left_out:
            shown = len(self.series)
            parts.append(f"the first {shown} of {shown + self.series_left_out} series")
        return f"Showing {' and '.join(parts)}; the table has every row." if parts else ""


@dataclass(frozen=True)
class RenderedChart:
    svg: str
    plot: Plot


def plot(chart: Chart, rows: Sequence[Row]) -> Plot:
    """The values `chart` draws from `rows` (see the module docstring for sums, days and cuts)."""
    sums: dict[tuple[Any, str], float] = {}
    for row in rows:
        for name, value in _points(chart, row):
            key = (row[chart.x], name)
            sums[key] = sums.get(key, 0.0) + value
    xs = list(dict.fromkeys(row[chart.x] for row in rows))
    days = bool(xs) and all(isinstance(x, date) and not isinstance(x, datetime) for x in xs)
    if days:
        xs = [min(xs) + timedelta(days=n) for n in range((max(xs) - min(xs)).days + 1)]
    names = list(dict.fromkeys(name for _, name in sums))
    kept_xs, kept_names = xs[: MAX_CATEGORIES[chart.kind]], names[:MAX_SERIES]
    fill = 0.0 if days else None  # a day without rows spent nothing; a missing pair elsewhere is no bar
    return Plot(
        labels=[_label(chart.x, x) for x in kept_xs],
        series={name: [sums.get((x, name), fill) for x in kept_xs] for name in kept_names},
        categories_left_out=len(xs) - len(kept_xs),
        series_left_out=len(names) - len(kept_names),
    )


def render_chart(chart: Chart, rows: Sequence[Row], *, chart_id: str, title: str) -> RenderedChart:
    """`rows` drawn as `chart`, as an `<svg>` element to place in an HTML page. `chart_id` must be unique on the
    page: pygal scopes the chart's stylesheet to it."""
    data = plot(chart, rows)
    graph = _graph(chart, data)
    graph.uuid = chart_id  # pygal's id is random otherwise: the same data gives the same page
    graph.add_xml_filter(lambda root: _finished(root, title))
    for name, values in data.series.items():
        graph.add(
            name, [_value(chart, data, name, label, value) for label, value in zip(data.labels, values, strict=True)]
        )
    return RenderedChart(graph.render(is_unicode=True), data)


def _points(chart: Chart, row: Row) -> list[tuple[str, float]]:
    points = []
    for column in chart.y:
        value = row.get(column)
        if value is None:
            continue
        name = column_title(column)
        if chart.series is not None:
            group = _label(chart.series, row.get(chart.series))
            name = group if len(chart.y) == 1 else f"{group}: {name}"
        points.append((name, float(value) if isinstance(value, (Decimal, bool)) else value))
    return points


def _label(column: str, value: Any) -> str:
    text = format_value(column, value)
    return text if text else NO_VALUE


def _graph(chart: Chart, data: Plot) -> pygal.Graph:
    width = _width(chart, data)
    many = len(data.labels) > _MANY_LABELS and chart.kind == "line"
    crowded = sum(len(label) for label in data.labels) * _LABEL_CHAR_PX > width - _Y_LABELS_PX
    options: dict[str, Any] = {
        "js": [],  # pygal's tooltips script comes from a CDN: the page stays offline (SVG <title> tooltips instead)
        "disable_xml_declaration": True,
        "explicit_size": True,
        "style": _STYLE,
        "width": width,
        "height": _HEIGHT,
        "include_x_axis": True,  # costs and tokens start at zero: a bar's height is its size
        "max_scale": 8,  # at most about 8 guides up the y axis
        "show_legend": chart.series is not None or len(data.series) > 1,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": min(len(data.series), 4) or 1,
        "truncate_legend": 40,
        "truncate_label": 24,
        "x_label_rotation": 30 if crowded and not many else 0,
        "show_minor_x_labels": not many,
        "x_labels_major_count": 12 if many else None,
        "value_formatter": lambda value: format_value(chart.y[0], value),
        "margin": 8,
        "spacing": 12,
    }
    graph = pygal.Bar(**options) if chart.kind == "bar" else pygal.Line(allow_interruptions=True, **options)
    graph.x_labels = data.labels
    return graph


def _width(chart: Chart, data: Plot) -> int:
    """Wide enough for its bars, so that one or two bars are not drawn a hand wide; lines take the full width."""
    if chart.kind == "line":
        return _MAX_WIDTH
    bars = len(data.labels) * max(len(data.series), 1)
    return max(_MIN_WIDTH, min(_MAX_WIDTH, _Y_LABELS_PX + _BAR_PX * bars))


def _value(chart: Chart, data: Plot, name: str, label: str, value: float | None) -> dict[str, Any] | None:
    """A point with its own tooltip (an SVG <title>, which browsers show on hover without any script)."""
    if value is None:
        return None
    shown = format_value(chart.y[0], value)
    prefix = f"{name}, {label}" if len(data.series) > 1 else label
    return {"value": value, "tooltip": f"{prefix}: {shown}"}


def _finished(root: Any, title: str) -> Any:
    """The SVG as the page wants it: without the inline <script> pygal writes its configuration into (the page
    runs no script) or its comments, and titled with the section's title instead of pygal's name."""
    for parent in list(root.iter()):
        for child in list(parent):
            if not isinstance(child.tag, str) or _name(child) == "script":
                parent.remove(child)
    for child in root:
        if _name(child) == "title":
            child.text = title
    return root


def _name(element: Any) -> str:
    return element.tag.rpartition("}")[2]
