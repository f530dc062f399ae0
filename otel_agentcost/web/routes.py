"""The live page at `/` of `otel-agentcost serve`: every report over the store the receiver writes, per request.

Each request runs the reports afresh for the window its address asks for (see params.py); nothing is cached, so a
reload shows the spans stored since. The queries run in a worker thread, one page at a time: the event loop keeps
answering the agents' exports while a page is computed, and a burst of reloads queues here instead of taking
every worker thread the receiver decodes payloads on. The response forbids every fetch (Content-Security-Policy),
which the page never needs: it is self-contained (see page.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route

from otel_agentcost.reports import run_report
from otel_agentcost.store import Store, StoreError
from otel_agentcost.web.page import render_error_page, render_page
from otel_agentcost.web.params import PageQuery, PageQueryError, parse_query

TITLE = "otel-agentcost dashboards"
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
}


def page_routes(store: Store, *, clock: Callable[[], datetime] | None = None) -> list[BaseRoute]:
    """`GET /`: the dashboards page over `store`. `clock` gives "now" for windows such as `since=7d`."""
    page = _Page(store, clock or _utc_now)
    return [Route("/", page.get, methods=["GET"])]


class _Page:
    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock
        self._one_at_a_time = anyio.CapacityLimiter(1)

    async def get(self, request: Request) -> HTMLResponse:
        form = dict(request.query_params)
        label = str(self._store.url)
        try:
            query = parse_query(form, self._clock())
        except PageQueryError as error:
            return self._error(label, f"This address asks for something the page cannot show: {error}.", form, 400)
        try:
            html = await anyio.to_thread.run_sync(self._render, query, form, limiter=self._one_at_a_time)
        except StoreError as error:
            return self._error(label, f"The store could not answer: {error}", form, 503)
        return HTMLResponse(html, headers=HEADERS)

    def _render(self, query: PageQuery, form: dict[str, str]) -> str:
        results = [
            run_report(self._store, report, query.window, query.filters, query.options_for(report))
            for report in query.reports
        ]
        return render_page(
            results, title=TITLE, store_label=str(self._store.url), generated_at=self._clock(), form=form
        )

    @staticmethod
    def _error(label: str, message: str, form: dict[str, str], status: int) -> HTMLResponse:
        page = render_error_page(title=TITLE, store_label=label, message=message, form=form)
        return HTMLResponse(page, status_code=status, headers=HEADERS)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)
