"""otel_agentcost.reports.queries: the SQL files in dashboards/, their headers and their parameters."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from otel_agentcost.reports import queries
from otel_agentcost.reports.queries import QueryDefinitionError, load_query, query_names

STANDARD = {
    "from": datetime(2026, 3, 1, tzinfo=timezone.utc),
    "to": datetime(2026, 3, 2, tzinfo=timezone.utc),
    "service": "*",
    "agent": "*",
    "model": "*",
}


@pytest.fixture
def sql_dir(tmp_path, monkeypatch):
    """A dashboards directory of the test's own, in place of the bundled one."""
    monkeypatch.setattr(queries, "dashboards_dir", lambda: tmp_path)
    load_query.cache_clear()
    yield tmp_path
    load_query.cache_clear()


def write(directory, name: str, text: str) -> None:
    (directory / f"{name}.sql").write_text(text)


def test_every_bundled_query_has_a_header_and_declares_its_own_parameters():
    for name in query_names():
        query = load_query(name)
        assert query.header.strip(), name
        assert set(query.placeholders) <= {*queries.STANDARD_PARAMETERS, *query.parameters}, name


def test_a_declared_parameter_has_its_type_from_the_placeholder_and_a_json_default(sql_dir):
    write(
        sql_dir,
        "bands",
        "-- Bands.\n-- @param band_edges = [5000,15000,30000] output-token band edges\n"
        "SELECT {band_edges:Array(UInt64)} AS edges WHERE {from:DateTime64(9, 'UTC')} < now()\n",
    )
    query = load_query("bands")
    parameter = query.parameters["band_edges"]
    assert (parameter.type, parameter.default, parameter.description) == (
        "Array(UInt64)",
        [5000, 15000, 30000],
        "output-token band edges",
    )
    assert query.header == "Bands.\n@param band_edges = [5000,15000,30000] output-token band edges"


def test_bind_sends_the_placeholders_used_with_defaults_unless_given(sql_dir):
    write(sql_dir, "q", "-- Q.\n-- @param limit = 20 rows\nSELECT 1 LIMIT {limit:UInt32} -- {model:String}\n")
    query = load_query("q")
    assert query.bind(STANDARD) == {"limit": 20, "model": "*"}
    assert query.bind(STANDARD, {"limit": 5, "unused": 1}) == {"limit": 5, "model": "*"}


def test_an_undeclared_parameter_is_an_error_naming_the_file_and_the_fix(sql_dir):
    write(sql_dir, "q", "-- Q.\nSELECT {limit:UInt32}\n")
    with pytest.raises(QueryDefinitionError, match=r"q\.sql: parameters \['limit'\] need an `-- @param"):
        load_query("q")


def test_a_declaration_without_its_placeholder_or_with_a_bad_default_is_an_error(sql_dir):
    write(sql_dir, "orphan", "-- @param limit = 20 rows\nSELECT 1\n")
    write(sql_dir, "bad", "-- @param limit = twenty rows\nSELECT {limit:UInt32}\n")
    with pytest.raises(QueryDefinitionError, match="@param limit is declared but the query has no"):
        load_query("orphan")
    with pytest.raises(QueryDefinitionError, match="the default of @param limit is not JSON: twenty"):
        load_query("bad")


def test_a_missing_query_names_the_path(sql_dir):
    with pytest.raises(QueryDefinitionError, match="no dashboard query 'nowhere'"):
        load_query("nowhere")
