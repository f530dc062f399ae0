"""`otel-agentcost serve` shows the dashboards page at `/`, live, over real HTTP in a real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
import requests
from browser import bars, visit
from live import WAIT, Served, serving
from page_data import fill

from otel_agentcost.reports import REPORTS

FLEET_WINDOW = "from=2026-03-02&to=2026-03-05"
COST = "report=cost"  # one report is enough where a test reads only the cost tables, and quicker


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """serve over a chDB directory holding the page_data fleet."""
    directory = tmp_path_factory.mktemp("served")
    fill(directory / "chdb", directory / "prices.csv")
    with serving(f"chdb:{directory / 'chdb'}", directory / "serve.log") as running:
        yield running


def test_the_page_at_root_shows_the_reports_for_the_window_in_its_address(browser, served):
    url = f"{served.url}/?{FLEET_WINDOW}"
    with visit(browser, url) as seen:
        assert seen.status == 200
        assert seen.requests == [url]
        assert seen.errors == []
        assert bars(seen.page, "#cost--rows") == 2
        assert "1,248" in seen.page.locator("#cost--rows table").inner_text()
        assert "2026-03-02 00:00 to 2026-03-05 00:00 UTC" in seen.text
        for report in REPORTS.values():
            assert seen.page.locator(f"section#{report.name} h2").inner_text() == report.title
    assert f"dashboards on {served.url}/" in served.log.read_text()


def test_the_page_is_never_cached_and_may_fetch_nothing(browser, served):
    with visit(browser, f"{served.url}/?{COST}&{FLEET_WINDOW}") as seen:
        assert seen.headers["cache-control"] == "no-store"
        assert seen.headers["content-security-policy"].startswith("default-src 'none';")
        assert seen.headers["content-type"] == "text/html; charset=utf-8"


def test_spans_stored_while_serving_show_on_the_next_visit(browser, served):
    url = f"{served.url}/?{COST}&since=1d"
    with visit(browser, url) as seen:
        assert "No data in this window" in seen.page.locator("section#cost").inner_text()
    now = datetime.now(timezone.utc)
    served.export_call(now - timedelta(hours=1), session="s-live", model="acme-large", input_tokens=4_000,
                       output_tokens=2_000)  # fmt: skip
    with visit(browser, url) as seen:
        assert bars(seen.page, "#cost--rows") == 1
        rows = seen.page.locator("#cost--rows tbody tr").all_inner_texts()
        assert [row.split("\t")[:3] for row in rows] == [["acme", "acme-large", "1"]]
        assert "$0.04" in rows[0]  # 4,000 x $3 + 2,000 x $15 per million tokens = $0.042
        assert "s-live" in seen.page.locator("#cost--top_sessions").inner_text()


def test_the_form_asks_for_another_window(browser, served):
    with visit(browser, f"{served.url}/?{COST}") as seen:
        assert seen.page.locator("section.report").count() == 1
        seen.page.fill("input[name=from]", "2026-03-02")
        seen.page.fill("input[name=to]", "2026-03-05")
        with seen.page.expect_navigation():
            seen.page.click("button[type=submit]")
        assert "report=cost&since=&from=2026-03-02&to=2026-03-05&" in seen.page.url
        assert "1,248" in seen.page.locator("#cost--rows table").inner_text()
        assert seen.page.input_value("input[name=from]") == "2026-03-02"
        assert seen.errors == []


def test_an_address_the_page_cannot_use_is_a_400_page_saying_what_to_fix(browser, served):
    with visit(browser, f"{served.url}/?since=7x") as seen:
        assert seen.status == 400
        alert = seen.page.locator("[role=alert]").inner_text()
        assert "--since '7x' is not a duration: write a number and a unit, e.g. 30d" in alert
        assert seen.page.input_value("input[name=since]") == "7x"
        assert seen.page.locator("section.report").count() == 0


def test_only_get_is_answered_at_root(served):
    assert requests.post(f"{served.url}/", timeout=WAIT).status_code == 405
