"""otel_agentcost.reports.grafana: the Grafana dashboard generated from the catalog and the dashboards' SQL.

Each panel's SQL is run on chDB as ClickHouse would receive it from Grafana (variables interpolated, then the
plugin's macros expanded: see grafana_runtime.py), and must give the rows the command line gives for the same
window, filters and options.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from report_data import BASE, Call, Outcome, every, insert

from otel_agentcost.reports import ALL, REPORTS, Filters, Query, TimeWindow, grafana, load_query, run_query
from otel_agentcost.reports.queries import dashboards_dir
from otel_agentcost.store.errors import QueryError

from .grafana_runtime import panel_sql, transform

WINDOW = TimeWindow(BASE, BASE + timedelta(days=2))
ODD_SERVICE = "o'brien\\ops"  # a quote and a backslash: each breaks SQL built by naive quoting
GRAFANA_DIR = dashboards_dir() / "grafana"

FLEET: list[Call | Outcome] = [
    # an idle session's heartbeats every 30 minutes for a day
    *[
        Call(at, session="s-idle", trigger="heartbeat", agent="pm-1", role="pm")
        for at in every(BASE, timedelta(minutes=30), 48)
    ],
    # untagged calls every 20 minutes (a suspected heartbeat), in a service whose name needs escaping
    *[
        Call(at, session="s-poll", service=ODD_SERVICE, agent="watcher", model="acme-small", input_tokens=300)
        for at in every(BASE + timedelta(hours=1), timedelta(minutes=20), 10)
    ],
    # sequential tasks that inherit context, in three bands, two of them wasted
    Call(BASE + timedelta(hours=2), session="s-work", task="T-1", trigger="user", role="coder", output_tokens=2000),
    Call(
        BASE + timedelta(hours=3), session="s-work", task="T-2", trigger="user", role="coder", agent="coder-1",
        input_tokens=6000, output_tokens=8000, inherited_tokens=3000, foreign_tokens=500,
    ),
    Call(
        BASE + timedelta(hours=4), session="s-work", task="T-3", trigger="user", role="coder", agent="coder-1",
        input_tokens=12_000, output_tokens=40_000, inherited_tokens=9000,
    ),
    Call(BASE + timedelta(days=1, hours=1), session="s-work", task="T-4", trigger="user", inherited_tokens=700),
    Outcome(BASE + timedelta(hours=2, minutes=5), "success", task="T-1", grade=0.9),
    Outcome(BASE + timedelta(hours=3, minutes=5), "blocked", task="T-2", grade=0.3, reason="claim denied"),
    Outcome(BASE + timedelta(hours=4, minutes=5), "noop", task="T-3", grade=0.5, reason="lane contention"),
    # PM work: tiny gate units and heavy ones
    *[
        Call(BASE + timedelta(hours=5, minutes=10 * n), session="s-pm", task=f"G-{n}", role="pm", lane="pm-trivial",
             output_tokens=40 + n)
        for n in range(4)
    ],
    *[
        Call(BASE + timedelta(hours=6, minutes=10 * n), session="s-pm", task=f"H-{n}", role="pm", lane="pm-heavy",
             model="acme-small", output_tokens=20_000 + 1000 * n)
        for n in range(3)
    ],
]  # fmt: skip
# Every filter set at once, to values that keep rows in every section (each filter alone: see the probes below).
CHOSEN = {"service": "agents", "agent": "pm", "model": "acme-large"}
# A value other than the default for every declared parameter, as a person would type it into the textbox, and as
# the command line would bind it.
TYPED = {
    "band_edges": ("[1000, 2500]", [1000, 2500]),
    "limit": (" 1 ", 1),
    "trivial_max_output_tokens": ("100", 100),
    "min_calls": ("3", 3),
    "max_jitter_share": ("0.5", 0.5),
    "min_interval_minutes": ("30", 30.0),
    "output_price_ratio": ("4", 4.0),
    "min_saving_per_month_usd": ("0", 0.0),
    "heartbeat_interval_minutes": ("240", 240.0),
    "min_inherited_share": ("0.1", 0.1),
    "min_foreign_share": ("0.01", 0.01),
    "mid_band": ("[1000, 50000]", [1000, 50000]),
    "min_bail_share": ("0.1", 0.1),
    "min_tier_gap": ("2", 2.0),
    "cheap_model": ("acme-small", "acme-small"),
}


SECTIONS = [section for report in REPORTS.values() for section in report.sections]


@pytest.fixture(scope="module")
def board() -> dict[str, Any]:
    return grafana.dashboard()


@pytest.fixture(scope="module")
def templating(board) -> list[dict[str, Any]]:
    return board["templating"]["list"]


@pytest.fixture(scope="module")
def dialect() -> str:
    """One dialect: the translation to Grafana does not depend on it (tests/dashboards covers both)."""
    return "agentcost"


@pytest.fixture(scope="module")
def fleet(store, dialect):
    insert(store, dialect, FLEET)
    return store


@pytest.fixture(scope="module")
def cli_rows(fleet) -> dict[str, list[dict[str, Any]]]:
    """Each section's rows from the command line's runner, for the window, all filters, default options."""
    return {section.query: run_query(fleet, section.query, WINDOW) for section in SECTIONS}


def content_panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    return [panel for panel in board["panels"] if panel["type"] != "row"]


def panels_of(board: dict[str, Any], query: str) -> list[dict[str, Any]]:
    sql = grafana.grafana_sql(load_query(query))
    return [panel for panel in content_panels(board) if panel["targets"][0]["rawSql"] == sql]


def grafana_rows(store, templating, sql: str, chosen: dict[str, str]) -> list[dict[str, Any]]:
    return store.query(panel_sql(sql, templating, chosen, WINDOW))


def assert_same_rows(actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    assert [list(row) for row in actual] == [list(row) for row in expected]
    for got, want in zip(actual, expected, strict=True):
        assert {k: pytest.approx(v) if isinstance(v, float) else v for k, v in want.items()} == got


def test_the_committed_dashboard_is_exactly_what_the_generator_writes():
    assert sorted(path.name for path in GRAFANA_DIR.glob("*.json")) == [grafana.FILE_NAME]
    assert (GRAFANA_DIR / grafana.FILE_NAME).read_text(encoding="utf-8") == grafana.render(grafana.dashboard())


def test_main_writes_the_dashboard_into_the_directory_given(tmp_path, capsys):
    assert grafana.main([str(tmp_path / "out")]) == 0
    written = tmp_path / "out" / grafana.FILE_NAME
    assert capsys.readouterr().out.strip() == str(written)
    assert json.loads(written.read_text(encoding="utf-8")) == grafana.dashboard()


def test_a_report_is_a_row_of_its_sections_each_a_chart_beside_a_table_or_a_table_alone(board):
    rows = [panel["title"] for panel in board["panels"] if panel["type"] == "row"]
    assert rows == [report.title for report in REPORTS.values()]
    for section in SECTIONS:
        kinds = sorted(panel["type"] for panel in panels_of(board, section.query))
        if section.chart is None:
            assert kinds == ["table"], section.query
        else:
            assert kinds == sorted([grafana.panel_type(section.chart), "table"]), section.query


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.query)
def test_each_panel_gives_the_command_lines_rows_for_all_and_for_a_chosen_value(fleet, cli_rows, templating, section):
    sql = grafana.grafana_sql(load_query(section.query))
    expected = cli_rows[section.query]
    assert expected, f"{section.query}: the fleet should give it rows"
    assert_same_rows(grafana_rows(fleet, templating, sql, {}), expected)
    chosen = run_query(fleet, section.query, WINDOW, Filters(**CHOSEN))
    assert_same_rows(grafana_rows(fleet, templating, sql, CHOSEN), chosen)


def probe(sql: str) -> Query:
    """A query of one SELECT, to see what a parameter becomes once Grafana has filled it in."""
    placeholders = {m.group(1): m.group(2) for m in re.finditer(r"\{(\w+):([^{}]+)\}", sql)}
    return Query("probe", sql, "", placeholders, {})


def probed(store, templating, sql: str, chosen: dict[str, str]) -> Any:
    (row,) = grafana_rows(store, templating, grafana.grafana_sql(probe(sql)), chosen)
    return row["v"]


@pytest.mark.parametrize("name", grafana.FILTERS)
@pytest.mark.parametrize("value", ["agents", ODD_SERVICE, "ünï côdé 🙂", "100%", "a'); DROP TABLE x; --", "*"])
def test_a_chosen_filter_value_reaches_clickhouse_exactly(fleet, templating, name, value):
    assert probed(fleet, templating, f"SELECT {{{name}:String}} AS v", {name: value}) == value


@pytest.mark.parametrize("name", grafana.FILTERS)
def test_a_filter_set_to_all_reaches_clickhouse_as_the_queries_all(fleet, templating, name):
    assert probed(fleet, templating, f"SELECT {{{name}:String}} AS v", {}) == ALL


@pytest.mark.parametrize("bound", ["from", "to"])
def test_the_time_window_reaches_clickhouse_as_the_dashboards_range(fleet, templating, bound):
    moment = probed(fleet, templating, f"SELECT {{{bound}:DateTime64(9, 'UTC')}} AS v", {})
    assert moment == WINDOW.parameters()[bound]


@pytest.mark.parametrize(
    ("placeholder", "typed", "value"),
    [("{n:UInt32}", " 7 ", 7), ("{e:Array(UInt64)}", "[1, 2]", [1, 2]), ("{r:Float64}", "0.25", 0.25)],
)
def test_a_textbox_reaches_clickhouse_as_its_parameters_type(fleet, templating, placeholder, typed, value):
    name = placeholder[1:].split(":")[0]
    textbox = {"type": "textbox", "name": name, "current": {"value": ""}}
    assert probed(fleet, [*templating, textbox], f"SELECT {placeholder} AS v", {name: typed}) == value


def test_a_value_with_a_quote_and_a_backslash_filters_exactly(fleet, templating):
    sql = grafana.grafana_sql(load_query("cost_by_model"))
    (row,) = grafana_rows(fleet, templating, sql, {"service": ODD_SERVICE})
    assert (row["model"], row["calls"]) == ("acme-small", 10)


@pytest.mark.parametrize("section", [s for s in SECTIONS if load_query(s.query).parameters], ids=lambda s: s.query)
def test_declared_parameters_are_textboxes_whose_text_sets_them(fleet, cli_rows, templating, section):
    query = load_query(section.query)
    chosen = {name: TYPED[name][0] for name in query.parameters}
    options = {name: TYPED[name][1] for name in query.parameters}
    expected = run_query(fleet, section.query, WINDOW, options=options)
    assert expected != cli_rows[section.query], "the typed values should change the rows"
    assert_same_rows(grafana_rows(fleet, templating, grafana.grafana_sql(query), chosen), expected)


def test_textboxes_start_at_the_declared_defaults_once_per_parameter(templating):
    textboxes = {v["name"]: v["current"]["value"] for v in templating if v["type"] == "textbox"}
    declared = {p.name: p for s in SECTIONS for p in load_query(s.query).parameters.values()}
    assert textboxes == {name: grafana.parameter_text(p.default) for name, p in declared.items()}
    assert set(TYPED) >= set(declared), "give the new parameter a typed value in TYPED"


def test_a_mistyped_textbox_fails_with_clickhouse_naming_the_value(fleet, templating):
    sql = grafana.grafana_sql(load_query("band_waste_units"))
    with pytest.raises(QueryError, match="twenty"):
        grafana_rows(fleet, templating, sql, {"limit": "twenty"})


@pytest.mark.parametrize(
    ("variable", "chosen", "choices"),
    [
        ("service", {}, ["agents", ODD_SERVICE]),
        ("agent", {}, ["coder", "coder-1", "pm", "pm-1", "watcher"]),
        ("agent", {"service": ODD_SERVICE}, ["watcher"]),
        ("model", {}, ["acme-large", "acme-small"]),
        ("model", {"agent": "coder"}, ["acme-large"]),
    ],
)
def test_filter_variables_offer_the_values_of_the_window_narrowed_by_the_filters_before(
    fleet, templating, variable, chosen, choices
):
    (definition,) = [v for v in templating if v["name"] == variable]
    rows = grafana_rows(fleet, templating, definition["query"]["rawSql"], chosen)
    assert [row[variable] for row in rows] == choices


def test_filter_variables_default_to_all_which_is_the_queries_all(templating):
    for name in grafana.FILTERS:
        (variable,) = [v for v in templating if v["name"] == name]
        assert (variable["includeAll"], variable["allValue"], variable["current"]["value"]) == (True, "*", "$__all")
        assert variable["datasource"] == grafana.DATASOURCE


@pytest.mark.parametrize("section", [s for s in SECTIONS if s.chart], ids=lambda s: s.query)
def test_charts_sum_their_y_columns_per_x_and_series_value(cli_rows, board, section):
    chart = section.chart
    rows = cli_rows[section.query]
    (panel,) = [p for p in panels_of(board, section.query) if p["type"] != "table"]
    frame = transform(rows, panel["transformations"])
    assert frame[chart.x] == sorted(frame[chart.x]) or chart.kind == "bar"
    if panel["type"] != "timeseries":
        assert panel["options"]["xField"] == chart.x
    for x, *drawn in zip(*frame.values(), strict=True):
        keyed = [row for row in rows if row[chart.x] == x]
        if chart.series is None:
            assert drawn == [pytest.approx(sum(row[y] for row in keyed)) for y in chart.y]
        else:
            names = list(frame)[1:]
            for name, value in zip(names, drawn, strict=True):
                total = sum(row[chart.y[0]] for row in keyed if str(row[chart.series]) == name)
                assert value == (pytest.approx(total) if any(str(r[chart.series]) == name for r in keyed) else None)


def test_a_chart_with_series_takes_its_unit_from_its_y_column(board):
    (lanes,) = [p for p in panels_of(board, "lanes") if p["type"] == "barchart"]
    assert lanes["fieldConfig"]["defaults"]["unit"] == "currencyUSD"


@pytest.mark.parametrize(
    ("column", "unit"),
    [
        ("cost_usd", "currencyUSD"),
        ("cost_per_day_usd", "currencyUSD"),
        ("inherited_share", "percentunit"),
        ("calls", "locale"),
        ("heartbeat_calls", "locale"),
        ("units", "locale"),
        ("output_tokens", "locale"),
        ("avg_grade", "none"),
        ("median_interval_minutes", "m"),
        ("first_call_at", "dateTimeAsIso"),
        ("day", "time:YYYY-MM-DD"),
        ("idle", "bool_yes_no"),
        ("band", None),
        ("callsign", None),
        ("recalls", None),
        ("unit_id", None),
    ],
)
def test_units_follow_the_column_naming_conventions_matched_as_grafana_anchors_them(board, column, unit):
    assert grafana.field_config(column).get("unit") == unit
    (table, *_) = [p for p in content_panels(board) if p["type"] == "table"]
    grafana_units = [
        override["properties"][0]["value"]
        for override in table["fieldConfig"]["overrides"]
        if re.search(f"^{override['matcher']['options']}$", column)  # Grafana's stringToJsRegex
    ]
    assert grafana_units == ([unit] if unit else [])


def test_the_dashboard_is_grafana_json_with_a_datasource_variable_and_no_fixed_datasource_in_panels(board):
    assert (board["uid"], board["id"], board["title"]) == ("otel-agentcost", None, "otel-agentcost")
    assert isinstance(board["schemaVersion"], int) and board["schemaVersion"] >= 36
    (datasource,) = [v for v in board["templating"]["list"] if v["type"] == "datasource"]
    assert (datasource["name"], datasource["query"]) == ("datasource", "grafana-clickhouse-datasource")
    panels = content_panels(board)
    assert all(panel["datasource"] == grafana.DATASOURCE for panel in panels)
    assert all(target["datasource"] == grafana.DATASOURCE for panel in panels for target in panel["targets"])
    assert grafana.PROVISIONED_DATASOURCE not in json.dumps(board["panels"])
    ids = [panel["id"] for panel in board["panels"]]
    assert len(set(ids)) == len(ids)


def test_panels_tile_the_24_column_grid_without_overlapping(board):
    taken: set[tuple[int, int]] = set()
    for panel in board["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["w"] > 0 and grid["h"] > 0 and grid["x"] + grid["w"] <= 24
        cells = {
            (x, y) for x in range(grid["x"], grid["x"] + grid["w"]) for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not cells & taken, panel["title"]
        taken |= cells


def test_panel_sql_keeps_no_clickhouse_parameter_and_uses_only_defined_variables_and_time_macros(board, templating):
    names = {variable["name"] for variable in templating}
    for panel in content_panels(board):
        target = panel["targets"][0]
        assert (target["editorType"], target["format"], target["queryType"]) == ("sql", 1, "table")
        sql = target["rawSql"]
        assert not re.search(r"(?<!\$)\{\w+:[^{}]+\}", sql), panel["title"]
        assert set(re.findall(r"\$\{(\w+):percentencode\}", sql)) <= names
        assert set(re.findall(r"\$__(\w+)", sql)) == {"fromTime_ms", "toTime_ms"}


@pytest.mark.parametrize(
    "query", [s.query for s in SECTIONS] + [f"{grafana.VARIABLE_QUERIES}/{f}" for f in grafana.FILTERS]
)
def test_no_query_text_reads_as_a_grafana_variable_before_translation(templating, query):
    names = {variable["name"] for variable in templating}
    written = re.findall(r"\$(\w+)|\[\[(\w+)|\$\{(\w+)", load_query(query).sql)
    assert not names & {name for groups in written for name in groups}
