"""otel_agentcost.web.page: the page `report --html` writes, opened from a file in a real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import Visit, bars, dots, visit
from page_data import EMPTY_WINDOW, GENERATED_AT, WINDOW, fill, page

from otel_agentcost.reports import REPORTS, Filters, ReportResult
from otel_agentcost.store import Store, open_store
from otel_agentcost.web import render_page


@pytest.fixture(scope="module")
def store(chdb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    fill(chdb_dir, tmp_path_factory.mktemp("prices") / "prices.csv")
    with open_store(f"chdb:{chdb_dir}") as opened:
        yield opened


@pytest.fixture(scope="module")
def page_file(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("page") / "agentcost.html"
    path.write_text(page(store, WINDOW), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def seen(browser, page_file: Path) -> Iterator[Visit]:
    """One visit for the tests that only read the page."""
    with visit(browser, page_file.as_uri()) as opened:
        yield opened


def test_the_page_loads_nothing_but_itself_and_logs_no_error(seen, page_file):
    assert seen.requests == [page_file.as_uri()]
    assert seen.errors == []
    assert seen.page.locator("script").count() == 0


def test_every_report_is_on_the_page_under_its_title_with_a_link_to_it(seen):
    for report in REPORTS.values():
        assert seen.page.locator(f"section#{report.name} h2").inner_text() == report.title
        assert seen.page.locator(f'nav a[href="#{report.name}"]').inner_text() == report.title
    meta = seen.page.locator(".meta").inner_text()
    assert meta.startswith("Store chdb:") and "2026-03-02 00:00 to 2026-03-05 00:00 UTC" in meta
    assert "only" not in meta


def test_cost_by_model_shows_a_bar_per_model_and_the_hand_computed_numbers(seen):
    section = "#cost--rows"
    assert bars(seen.page, section) == 2
    table = seen.page.locator(f"{section} table").inner_text()
    large, small = table.splitlines()[1:3]
    assert large.split("\t")[:3] == ["acme", "acme-large", "2"]
    assert small.split("\t")[:3] == ["acme", "acme-small", "1,248"]
    assert "$0.54" in large and "54.9%" in large
    assert "$0.44" in small and "45.1%" in small
    tooltips = seen.page.locator(f"{section} svg .bar title").all_text_contents()
    assert tooltips == ["acme-large: $0.54", "acme-small: $0.44"]


def test_cost_by_day_draws_every_day_of_the_window_with_data_the_quiet_one_at_zero(seen):
    assert dots(seen.page, "#cost--by_day") == 3
    tooltips = seen.page.locator("#cost--by_day svg .dots title").all_text_contents()
    assert tooltips == ["2026-03-02: $0.89", "2026-03-03: $0.00", "2026-03-04: $0.09"]


def test_band_waste_has_a_cost_and_a_wasted_cost_bar_per_band_and_the_blocked_unit_below(seen):
    assert bars(seen.page, "#band-waste--rows") == 8
    text = seen.page.locator("#band-waste").inner_text()
    assert "5k-15k" in text and "$0.45" in text and "claim denied" in text


def test_heartbeat_drain_projects_the_idle_session_per_day_and_month(seen):
    assert bars(seen.page, "#heartbeat-drain--rows") == 1
    row = seen.page.locator("#heartbeat-drain--rows tbody tr").inner_text()
    assert "s-idle" in row and "48" in row and "30.0" in row and "$0.26" in row and "$7.92" in row and "yes" in row


def test_inherited_context_shows_the_tokens_task_two_carried_over(seen):
    assert bars(seen.page, "#context--rows") == 4  # input and inherited tokens of T-1 and T-2
    assert "1,500" in seen.page.locator("#context--rows table").inner_text()


def test_every_chart_of_a_section_with_rows_is_drawn(seen):
    for report in REPORTS.values():
        for section in report.sections:
            if section.chart is None or seen.page.locator(f"#{report.name}--{section.key} table").count() == 0:
                continue
            drawn = bars if section.chart.kind == "bar" else dots
            assert drawn(seen.page, f"#{report.name}--{section.key}") > 0, (report.name, section.key)


def test_a_window_without_data_says_so_for_every_report_and_draws_nothing(browser, store, tmp_path):
    path = tmp_path / "empty.html"
    path.write_text(page(store, EMPTY_WINDOW), encoding="utf-8")
    with visit(browser, path.as_uri()) as seen:
        assert seen.page.locator("svg").count() == 0
        for report in REPORTS.values():
            assert "No data in this window" in seen.page.locator(f"section#{report.name}").inner_text()
        assert seen.errors == []


HOSTILE = '<img src="http://127.0.0.1:9/x.png" onerror="document.title=\'owned\'">'


def cost_page(path: Path, sections: dict[str, list[dict]], filters: Filters | None = None) -> str:
    """A page of the cost report with these rows (the other sections empty), written to `path`; its URL."""
    cost = REPORTS["cost"]
    result = ReportResult(cost, WINDOW, {section.key: sections.get(section.key, []) for section in cost.sections})
    html = render_page([result], title="T", store_label="chdb:x", generated_at=GENERATED_AT, filters=filters)
    path.write_text(html, encoding="utf-8")
    return path.as_uri()


def test_values_from_agents_are_shown_as_text_never_run_or_fetched_and_long_tables_are_cut(browser, tmp_path):
    rows = [{"provider": "acme", "model": HOSTILE, "calls": 3, "cost_usd": 1.5}]
    sessions = [{"session_id": f"s-{n}", "calls": 1, "cost_usd": 0.25} for n in range(250)]
    url = cost_page(tmp_path / "hostile.html", {"rows": rows, "top_sessions": sessions})
    with visit(browser, url) as seen:
        assert seen.requests == [url]
        assert seen.page.title() == "T"
        assert HOSTILE in seen.page.locator("#cost--rows table").inner_text()
        assert seen.page.locator("#cost--rows svg .bar title").all_text_contents() == [f"{HOSTILE}: $1.50"]
        assert seen.page.locator("#cost--top_sessions tbody tr").count() == 200
        assert seen.page.locator("#cost--top_sessions .note").inner_text() == (
            "The first 200 of 250 rows; otel-agentcost report cost --format csv --section top_sessions writes them all."
        )
        assert seen.page.locator("#cost--by_day").inner_text().endswith("None in this window.")


def test_a_filtered_page_says_in_its_header_what_it_was_filtered_to(browser, tmp_path):
    rows = [{"provider": "acme", "model": "acme-large", "calls": 3, "cost_usd": 1.5}]
    url = cost_page(tmp_path / "filtered.html", {"rows": rows}, Filters(agent="pm", model="acme-large"))
    with visit(browser, url) as seen:
        assert "· only agent pm, model acme-large ·" in seen.page.locator(".meta").inner_text()
