"""The dashboards as one HTML page: every report's sections as charts and tables, in a single self-contained file.

The page loads nothing: its style sheet is inline, its charts are inline SVG (see charts.py), it runs no script
and names no font it would have to fetch, so a file written by `report --html` opens offline, by mail or years
later, and `serve` can forbid every fetch in its Content-Security-Policy. Numbers are formatted by column name as
in the terminal (otel_agentcost.reports.formatting); a report without data says so instead of drawing empty axes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from html import escape
from typing import Any

from otel_agentcost.reports import MAIN, Chart, Filters, ReportResult, Section, TimeWindow
from otel_agentcost.reports.formatting import column_title, format_value, is_numeric
from otel_agentcost.web.charts import render_chart
from otel_agentcost.web.params import fields

TITLE = "otel-agentcost dashboards"
MAX_TABLE_ROWS = 200
_STYLE = """
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0072b2; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: #fff; }
header { padding: 20px 32px 12px; border-bottom: 1px solid var(--line); background: var(--soft); }
h1 { margin: 0 0 4px; font-size: 22px; }
.meta { margin: 0; color: var(--muted); }
nav { margin-top: 10px; display: flex; flex-wrap: wrap; gap: 6px 18px; }
nav a, a { color: var(--accent); text-decoration: none; }
nav a:hover, a:hover { text-decoration: underline; }
form { margin: 12px 0 4px; display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: end; }
label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
input { font: inherit; padding: 3px 6px; border: 1px solid var(--line); border-radius: 4px; width: 11em; }
button { font: inherit; padding: 4px 14px; border: 1px solid var(--accent); border-radius: 4px;
  background: var(--accent); color: #fff; cursor: pointer; }
main { padding: 8px 32px 48px; max-width: 1280px; }
.report { margin-top: 28px; }
h2 { margin: 0; font-size: 20px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
.summary { margin: 6px 0 0; color: var(--muted); }
h3 { margin: 22px 0 6px; font-size: 16px; }
figure { margin: 0 0 8px; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption, .note { color: var(--muted); font-size: 13px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; }
.empty { margin: 10px 0; padding: 12px 16px; border: 1px dashed var(--line); border-radius: 6px; color: var(--muted);
  background: var(--soft); }
.error { margin: 16px 0; padding: 12px 16px; border: 1px solid #d1242f; border-radius: 6px; color: #82071e;
  background: #fff5f5; }
"""


def render_page(
    results: Sequence[ReportResult],
    *,
    store_label: str,
    generated_at: datetime,
    title: str = TITLE,
    filters: Filters | None = None,
    form: Mapping[str, str] | None = None,
) -> str:
    """The page for `results` (in their order), read from the store `store_label` names; `filters`, those the
    results were run with, are named in the header so that a filtered page does not pass for the whole fleet.

    `form` is for the live page of `serve`: the query parameters of the request, shown in a form that asks for
    another window or filters. A file (`report --html`) has no form: nothing behind it could answer.
    """
    windows = list(dict.fromkeys(result.window for result in results))
    when = f" · {_window(windows[0])}" if len(windows) == 1 else ""
    generated = _moment(generated_at)
    only = _filters(filters or Filters())
    head = f'<p class="meta">Store <code>{escape(store_label)}</code>{when}{only} · generated {generated} UTC</p>'
    nav = "".join(f'<a href="#{escape(r.report.name)}">{escape(r.report.title)}</a>' for r in results)
    body = "".join(_report(result, show_window=len(windows) > 1) for result in results)
    top = f"<h1>{escape(title)}</h1>{head}{_form(form) if form is not None else ''}<nav>{nav}</nav>"
    return _document(title, top, body or '<p class="empty">No reports were run.</p>')


def render_error_page(
    *, store_label: str, message: str, title: str = TITLE, form: Mapping[str, str] | None = None
) -> str:
    """A page that explains why the reports could not be shown (a bad parameter, a store that failed)."""
    head = f'<p class="meta">Store <code>{escape(store_label)}</code></p>'
    top = f"<h1>{escape(title)}</h1>{head}{_form(form) if form is not None else ''}"
    return _document(title, top, f'<p class="error" role="alert">{escape(message)}</p>')


def _document(title: str, top: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><header>{top}</header><main>{body}</main></body></html>\n"
    )


def _report(result: ReportResult, *, show_window: bool) -> str:
    report = result.report
    when = f'<p class="note">{_window(result.window)}</p>' if show_window else ""
    head = f'<h2>{escape(report.title)}</h2><p class="summary">{escape(report.summary)}</p>{when}'
    if result.empty:
        content = (
            f'<p class="empty">No data in this window: nothing between {_window(result.window)} matched this report. '
            "Widen the window, loosen the filters, or check that spans reach this store (agents export to "
            "<code>otel-agentcost serve</code>, or set <code>AGENTCOST_STORE</code>); "
            "<code>otel-agentcost demo</code> fills a store to try.</p>"
        )
    else:
        content = "".join(
            _section(report.name, section, result.sections.get(section.key, [])) for section in report.sections
        )
    return f'<section class="report" id="{escape(report.name)}">{head}{content}</section>'


def _section(report: str, section: Section, rows: Sequence[Mapping[str, Any]]) -> str:
    anchor = f"{report}--{section.key}"
    head = f"<h3>{escape(section.title)}</h3>"
    if not rows:
        return (
            f'<section class="section" id="{escape(anchor)}">{head}<p class="empty">None in this window.</p></section>'
        )
    chart = _chart(section.chart, section.title, rows, anchor) if section.chart is not None else ""
    table = _table(rows, section.shown or tuple(rows[0]), _all_rows_command(report, section))
    return f'<section class="section" id="{escape(anchor)}">{head}{chart}{table}</section>'


def _chart(chart: Chart, title: str, rows: Sequence[Mapping[str, Any]], anchor: str) -> str:
    drawn = render_chart(chart, rows, chart_id=anchor, title=title)
    caption = f"<figcaption>{escape(drawn.plot.note)}</figcaption>" if drawn.plot.note else ""
    return f'<figure class="chart chart-{chart.kind}">{drawn.svg}{caption}</figure>'


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], all_rows_command: str) -> str:
    numeric = {column for column in columns if any(is_numeric(row.get(column)) for row in rows)}
    head = "".join(_cell("th", column, column_title(column), numeric) for column in columns)
    shown = rows[:MAX_TABLE_ROWS]
    body = "".join(
        "<tr>" + "".join(_cell("td", c, format_value(c, row.get(c)), numeric) for c in columns) + "</tr>"
        for row in shown
    )
    note = ""
    if len(rows) > len(shown):
        note = (
            f'<p class="note">The first {len(shown):,} of {len(rows):,} rows; '
            f"<code>{escape(all_rows_command)}</code> writes them all.</p>"
        )
    return f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{note}'


def _all_rows_command(report: str, section: Section) -> str:
    """The command that writes every row of a section (CSV writes one section: the main one unless named)."""
    named = "" if section.key == MAIN else f" --section {section.key}"
    return f"otel-agentcost report {report} --format csv{named}"


def _cell(tag: str, column: str, text: str, numeric: set[str]) -> str:
    kind = ' class="num"' if column in numeric else ""
    return f"<{tag}{kind}>{escape(text)}</{tag}>"


def _form(values: Mapping[str, str]) -> str:
    """A GET form back to the page with every parameter it reads (see params.py), filled in as asked."""
    inputs = "".join(
        f'<label>{escape(name)}<input name="{escape(name)}" value="{escape(values.get(name, ""))}" '
        f'placeholder="{escape(hint)}" title="{escape(hint)}"></label>'
        for name, hint in fields().items()
    )
    return f'<form method="get">{inputs}<button type="submit">Show</button></form>'


def _filters(filters: Filters) -> str:
    chosen = [f"{name} {value}" for name, value in vars(filters).items() if value is not None]
    return f" · only {escape(', '.join(chosen))}" if chosen else ""


def _window(window: TimeWindow) -> str:
    return f"{_moment(window.start)} to {_moment(window.end)} UTC"


def _moment(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")
