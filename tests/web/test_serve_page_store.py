"""The live page when the store cannot answer: a ClickHouse server (the HTTP interface served from chDB) whose
database went away while `serve` was running."""

from __future__ import annotations

from browser import visit
from live import serving

from otel_agentcost.store import open_store
from otel_agentcost.store.schema import init_schema


def test_a_store_that_cannot_answer_is_a_503_page_that_says_why_and_what_to_do(browser, chdb_http, tmp_path):
    store_url = chdb_http.url("otel")
    with open_store(store_url) as store:
        init_schema(store)
        with serving(store_url, tmp_path / "serve.log") as served:
            with visit(browser, f"{served.url}/?report=cost") as seen:
                assert seen.status == 200
                assert "No data in this window" in seen.text
            store.command("DROP DATABASE otel")
            with visit(browser, f"{served.url}/?report=cost") as seen:
                assert seen.status == 503
                alert = seen.page.locator("[role=alert]").inner_text()
                assert alert.startswith("The store could not answer:")
                assert "otel-agentcost db init --store" in alert
