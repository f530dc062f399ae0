"""The dashboards as a web page: one self-contained HTML page of every report, charts (inline SVG) and tables.

`render_page` draws report results (what `report --html FILE` writes); `page_routes` serves the same page live at
`/` of `otel-agentcost serve`, computed per request over the store the receiver writes.
"""

from __future__ import annotations

from otel_agentcost.web.page import render_error_page, render_page
from otel_agentcost.web.routes import page_routes

__all__ = ["page_routes", "render_error_page", "render_page"]
