"""otel_agentcost.reports.catalog: the named reports and the values their options accept."""

from __future__ import annotations

import re

import pytest

from otel_agentcost.reports import MAIN, REPORTS
from otel_agentcost.reports.catalog import band_edges, positive_int, token_count
from otel_agentcost.reports.queries import load_query


def test_the_designs_reports_exist_each_with_a_main_section_first():
    assert list(REPORTS) == ["findings", "band-waste", "heartbeat-drain", "context", "lanes", "cost"]
    for report in REPORTS.values():
        assert report.sections[0].key == MAIN
        assert len({section.key for section in report.sections}) == len(report.sections)


def test_every_option_sets_a_parameter_its_reports_queries_declare():
    for report in REPORTS.values():
        declared = {name for query in report.queries for name in load_query(query).parameters}
        for option in report.options:
            assert option.parameter in declared, (report.name, option.flag)


def test_every_charted_or_shown_column_is_a_column_its_query_names():
    for report in REPORTS.values():
        for section in report.sections:
            columns = load_query(section.query).header.partition("Columns:")[2]
            charted = (section.chart.x, *section.chart.y, section.chart.series) if section.chart else ()
            for column in (*charted, *section.shown):
                assert column is None or re.search(rf"\b{column}\b", columns), (section.query, column)


@pytest.mark.parametrize(("text", "count"), [("5000", 5000), ("5k", 5000), ("1.5K", 1500), ("2m", 2_000_000)])
def test_token_counts_are_read_as_people_write_them(text, count):
    assert token_count(text) == count


def test_band_edges_must_ascend_above_zero():
    assert band_edges("5k,15k,30k") == [5000, 15000, 30000]
    for bad in ("15k,5k", "0,5k", "", "5k,5k", "five"):
        with pytest.raises(ValueError):
            band_edges(bad)


def test_a_limit_is_a_positive_whole_number():
    assert positive_int("20") == 20
    for bad in ("0", "-3", "x"):
        with pytest.raises(ValueError, match="not a positive whole number"):
            positive_int(bad)
