"""otel_agentcost.web.charts: what a section's chart shows, drawn from its rows."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from otel_agentcost.reports import Chart
from otel_agentcost.web.charts import MAX_CATEGORIES, MAX_SERIES, plot, render_chart

SVG = "{http://www.w3.org/2000/svg}"
COST = Chart("bar", "model", ("cost_usd",))


def test_each_y_column_is_a_series_with_one_value_per_row_in_the_query_order():
    rows = [
        {"band": "<5k", "cost_usd": 1.5, "wasted_cost_usd": 0.5},
        {"band": "5k-15k", "cost_usd": 4.0, "wasted_cost_usd": 3.0},
    ]
    drawn = plot(Chart("bar", "band", ("cost_usd", "wasted_cost_usd")), rows)
    assert drawn.labels == ["<5k", "5k-15k"]
    assert drawn.series == {"Cost USD": [1.5, 4.0], "Wasted cost USD": [0.5, 3.0]}
    assert drawn.note == ""


def test_rows_that_share_an_x_and_a_series_add_up_and_a_missing_pair_has_no_bar():
    rows = [
        {"group": "pm", "model": "large", "tier": "trivial", "cost_usd": 1.0},
        {"group": "pm", "model": "small", "tier": "trivial", "cost_usd": 2.0},
        {"group": "pm", "model": "large", "tier": "heavy", "cost_usd": 5.0},
        {"group": "coder", "model": "large", "tier": "heavy", "cost_usd": 3.0},
    ]
    drawn = plot(Chart("bar", "group", ("cost_usd",), series="tier"), rows)
    assert drawn.labels == ["pm", "coder"]
    assert drawn.series == {"trivial": [3.0, None], "heavy": [5.0, 3.0]}


def test_a_date_axis_has_every_day_of_its_range_and_a_day_without_rows_is_zero():
    rows = [{"day": date(2026, 3, 4), "cost_usd": 2.0}, {"day": date(2026, 3, 1), "cost_usd": 1.5}]
    drawn = plot(Chart("line", "day", ("cost_usd",)), rows)
    assert drawn.labels == ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"]
    assert drawn.series == {"Cost USD": [1.5, 0.0, 0.0, 2.0]}


def test_an_empty_value_is_labelled_none_rather_than_left_blank():
    drawn = plot(Chart("bar", "trigger", ("cost_usd",)), [{"trigger": "", "cost_usd": 1.0}])
    assert drawn.labels == ["(none)"]


def test_a_long_section_is_cut_to_the_first_categories_and_series_and_the_note_says_so():
    bars = [{"session_id": f"s-{n}", "cost_usd": float(n)} for n in range(45)]
    drawn = plot(Chart("bar", "session_id", ("cost_usd",)), bars)
    assert drawn.labels == [f"s-{n}" for n in range(MAX_CATEGORIES["bar"])]
    assert drawn.note == "Showing the first 30 of 45 values on the axis; the table has every row."
    lines = [{"task_index": 1, "session_id": f"s-{n}", "avg_input_tokens": 10.0} for n in range(MAX_SERIES + 2)]
    drawn = plot(Chart("line", "task_index", ("avg_input_tokens",), series="session_id"), lines)
    assert list(drawn.series) == [f"s-{n}" for n in range(MAX_SERIES)]
    assert drawn.note == f"Showing the first {MAX_SERIES} of {MAX_SERIES + 2} series; the table has every row."


def test_the_svg_has_no_script_a_stable_id_the_section_title_and_formatted_tooltips_on_its_bars():
    rows = [{"model": "acme-large", "cost_usd": 1234.5}, {"model": "acme-small", "cost_usd": 0.0042}]
    drawn = render_chart(COST, rows, chart_id="cost--rows", title="By model")
    assert drawn.svg == render_chart(COST, rows, chart_id="cost--rows", title="By model").svg
    root = ET.fromstring(drawn.svg)
    assert root.get("id") == "chart-cost--rows"
    assert not list(root.iter(f"{SVG}script"))
    assert root.find(f"{SVG}title").text == "By model"
    bars = [bar for bar in root.iter(f"{SVG}g") if bar.get("class") == "bar"]
    assert [bar.find(f"{SVG}title").text for bar in bars] == ["acme-large: $1,234.50", "acme-small: $0.0042"]
