"""otel_agentcost.web.params: the live page's address, read as the report command's options."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from otel_agentcost.reports import REPORTS, Filters, TimeWindow
from otel_agentcost.web.params import PageQueryError, parse_query

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


def test_no_parameters_is_the_last_30_days_for_everyone():
    query = parse_query({}, NOW)
    assert query.window == TimeWindow(NOW - timedelta(days=30), NOW)
    assert query.filters == Filters()
    assert query.options == {}
    assert query.reports == tuple(REPORTS.values())


def test_since_and_from_to_give_the_window_as_on_the_command_line():
    assert parse_query({"since": "7d"}, NOW).window == TimeWindow(NOW - timedelta(days=7), NOW)
    window = parse_query({"from": "2026-03-01", "to": "2026-03-02T06:00Z"}, NOW).window
    assert window == TimeWindow(datetime(2026, 3, 1, tzinfo=timezone.utc), datetime(2026, 3, 2, 6, tzinfo=timezone.utc))


def test_empty_fields_of_a_submitted_form_count_as_not_given():
    query = parse_query({"since": "", "from": " ", "to": "", "agent": "", "bands": ""}, NOW)
    assert query == parse_query({}, NOW)


def test_filters_and_report_options_apply_to_the_reports_that_take_them():
    query = parse_query({"agent": "pm", "model": "acme-large", "bands": "10k,20k", "limit": "5"}, NOW)
    assert query.filters == Filters(agent="pm", model="acme-large")
    assert query.options_for(REPORTS["band-waste"]) == {"band_edges": [10_000, 20_000], "limit": 5}
    assert query.options_for(REPORTS["cost"]) == {"limit": 5}
    assert query.options_for(REPORTS["heartbeat-drain"]) == {}


def test_report_keeps_the_page_to_the_reports_it_names_in_the_catalog_order_of_its_list():
    query = parse_query({"report": "lanes, cost,lanes"}, NOW)
    assert query.reports == (REPORTS["lanes"], REPORTS["cost"])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "7x"}, "--since '7x' is not a duration"),
        ({"since": "7d", "from": "2026-03-01"}, "--since cannot be combined with --from/--to"),
        ({"from": "yesterday"}, "--from 'yesterday' is not an ISO 8601 date"),
        ({"bands": "30k,5k"}, "bands: '30k,5k' are not band edges"),
        ({"limit": "0"}, "limit: '0' is not a positive whole number"),
        ({"report": "cost,waste"}, "report 'cost,waste': name one or more of findings, band-waste, heartbeat-drain,"),
        ({"sinse": "7d"}, "unknown parameter sinse: the page reads report, since, from, to, service, agent, model"),
    ],
)
def test_a_value_that_cannot_be_used_is_refused_with_what_was_wrong(params, message):
    with pytest.raises(PageQueryError, match="^" + re.escape(message)):
        parse_query(params, NOW)
