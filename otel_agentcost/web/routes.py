"""The live page at `/` of `otel-agentcost serve`: every report over the store the receiver writes, per request.

Each request runs the reports afresh for the window its address asks for (see params.py); nothing is cached, so a
reload shows the spans stored since. The queries run in a worker thread, one page at a time: the event loop keeps
answering the agents' exports while a page is computed, and a burst of reloads queues here instead of taking
every worker thread the receiver decodes payloads on. The response forbids every fetch (Content-Security-Policy),
which the page never needs: it is self-contained (see page.py).
"""

from __future__ import annotations

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

HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
}


def page_routes(store: Store) -> list[BaseRoute]:
    """`GET /`: the dashboards page over `store`."""
    return [Route("/", _Page(store).get, methods=["GET"])]


class _Page:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._one_at_a_time = anyio.CapacityLimiter(1)

    async def get(self, request: Request) -> HTMLResponse:
        form = dict(request.query_params)
        try:
            query = parse_query(form, datetime.now(timezone.utc))
        except PageQueryError as error:
            return self._error(f"This address asks for something the page cannot show: {error}.", form, 400)
        try:
            html = await anyio.to_thread.run_sync(self._render, query, form, limiter=self._one_at_a_time)
        except StoreError as error:
            return self._error(f"The store could not answer: {error}", form, 503)
        return HTMLResponse(html, headers=HEADERS)

    def _render(self, query: PageQuery, form: dict[str, str]) -> str:
        results = [
            run_report(self._store, report, query.window, query.filters, query.options_for(report))
            for report in query.reports
        ]
        return render_page(
            results, store_label=str(self._store.url), generated_at=datetime.now(timezone.utc), form=form
        )

    def _error(self, message: str, form: dict[str, str], status: int) -> HTMLResponse:
        page = render_error_page(store_label=str(self._store.url), message=message, form=form)
        return HTMLResponse(page, status_code=status, headers=HEADERS)
