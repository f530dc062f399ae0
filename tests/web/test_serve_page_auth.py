"""The dashboards page of `otel-agentcost serve --token-file`: a browser is asked for credentials and opens the page
with any user name and the token as password; without them, or with a wrong one, it gets 401 and no data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from live import WAIT, Served, serving
from page_data import fill

TOKEN = "page-token-0123456789abcdef"
COST = "report=cost&from=2026-03-02&to=2026-03-05"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    directory: Path = tmp_path_factory.mktemp("served")
    fill(directory / "chdb", directory / "prices.csv")
    (directory / "token").write_text(TOKEN)
    with serving(f"chdb:{directory / 'chdb'}", directory / "serve.log", "--token-file", str(directory / "token")) as s:
        yield s


def test_a_browser_with_the_token_as_password_sees_the_page(browser, served):
    context = browser.new_context(http_credentials={"username": "anyone", "password": TOKEN})
    try:
        page = context.new_page()
        response = page.goto(f"{served.url}/?{COST}", wait_until="load", timeout=WAIT * 1000)
        assert response is not None and response.status == 200
        assert "1,248" in page.locator("#cost--rows table").inner_text()
    finally:
        context.close()


def test_without_credentials_the_page_is_401_asking_for_basic_and_shows_no_data(served):
    response = requests.get(f"{served.url}/?{COST}", timeout=WAIT)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic ")
    assert "1,248" not in response.text


def test_a_wrong_password_is_401(served):
    response = requests.get(f"{served.url}/?{COST}", auth=("anyone", TOKEN[:-1] + "x"), timeout=WAIT)
    assert response.status_code == 401


def test_requests_basic_auth_opens_the_page_too(served):
    response = requests.get(f"{served.url}/?{COST}", auth=("", TOKEN), timeout=WAIT)
    assert response.status_code == 200
    assert "1,248" in response.text
