"""A real headless Chromium (Debian's `chromium`, driven by Playwright) that records what a visit did: the console
errors and uncaught exceptions a person would never see, and every request the page made."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
WAIT_MS = 30_000  # a bound on waiting for a page, never a timing assertion


@contextmanager
def chromium() -> Iterator[Browser]:
    assert shutil.which(CHROMIUM), f"{CHROMIUM} is missing: the web page tests need it (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visit:
    page: Page
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # console errors and uncaught page exceptions

    @property
    def text(self) -> str:
        """The page's visible text, as a person reads it."""
        return self.page.inner_text("body")


@contextmanager
def visit(browser: Browser, url: str) -> Iterator[Visit]:
    """Open `url` in a fresh context (no cache, no cookies) and wait until it has loaded."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    seen = Visit(page)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("console", lambda message: seen.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    try:
        response = page.goto(url, wait_until="load")
        if response is not None:
            seen.status, seen.headers = response.status, response.headers
        yield seen
    finally:
        context.close()


def bars(page: Page, selector: str) -> int:
    """The bars drawn in the chart under `selector`."""
    return page.locator(f"{selector} svg .series .bar rect").count()


def dots(page: Page, selector: str) -> int:
    """The points drawn on the lines of the chart under `selector`."""
    return page.locator(f"{selector} svg .series .dots circle").count()
