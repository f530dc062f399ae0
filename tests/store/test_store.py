"""The Store interface on both backends, and what each backend says when it cannot be used."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from otel_agentcost.store import (
    QueryError,
    SchemaMissingError,
    StoreUnavailableError,
    open_store,
)
from otel_agentcost.store.embedded import INSTALL_HINT

WAIT = 60  # seconds: a bound on a helper process, never a timing assertion


def test_query_returns_typed_values(store):
    (row,) = store.query(
        "SELECT toUInt64(7) AS n, 1.5 AS f, 'x' AS s, true AS b, toDecimal64(2.25, 2) AS d,"
        " toDate('2026-01-02') AS day, toDateTime64('2026-01-02 03:04:05.123456', 6, 'UTC') AS at,"
        " [1, 2] AS list, map('k', 'v') AS m,"
        " CAST(NULL, 'Nullable(String)') AS missing"
    )
    assert row == {
        "n": 7,
        "f": 1.5,
        "s": "x",
        "b": True,
        "d": Decimal("2.25"),
        "day": date(2026, 1, 2),
        "at": datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc),
        "list": [1, 2],
        "m": {"k": "v"},
        "missing": None,
    }


@pytest.mark.parametrize("value", ["plain", "it's'; DROP TABLE x; --", "tab\tnew\nline\\back", "é✓", ""])
def test_parameters_are_bound_so_any_string_comes_back_as_it_went(store, value):
    assert store.query("SELECT {value:String} AS v", {"value": value}) == [{"v": value}]


def test_parameters_without_a_placeholder_are_refused_rather_than_formatted_into_sql(store):
    with pytest.raises(QueryError, match="no \\{name:Type\\} placeholder"):
        store.query("SELECT %(value)s AS v", {"value": 1})


def test_a_missing_database_says_to_run_db_init(store):
    with pytest.raises(SchemaMissingError) as raised:
        store.query("SELECT count() FROM otel_traces")
    assert f"database '{store.database}' does not exist" in str(raised.value)
    assert "otel-agentcost db init --store" in str(raised.value)


def test_a_missing_table_says_to_run_db_init(store):
    store.command("CREATE DATABASE IF NOT EXISTS {database:Identifier}", {"database": store.database})
    with pytest.raises(SchemaMissingError, match="otel-agentcost db init"):
        store.query("SELECT count() FROM agentcost_llm_calls")


def test_commands_and_row_inserts_work_in_the_stores_database(store):
    store.command("CREATE DATABASE IF NOT EXISTS {database:Identifier}", {"database": store.database})
    store.command("CREATE TABLE IF NOT EXISTS t (k String, v Nullable(Float64)) ENGINE = MergeTree ORDER BY k")
    store.insert_rows("t", ("k", "v"), [("a", 1.5), ("b", None)])
    store.insert_rows("t", ("k", "v"), [])
    assert store.query("SELECT k, v FROM t ORDER BY k") == [{"k": "a", "v": 1.5}, {"k": "b", "v": None}]
    (table,) = store.query(
        "SELECT database FROM system.tables WHERE name = 't' AND database = {d:String}", {"d": store.database}
    )
    assert table == {"database": store.database}


def test_clickhouse_refusing_a_statement_is_a_query_error_with_its_reason(store):
    with pytest.raises(QueryError) as raised:
        store.query("SELEC 1")
    assert "ClickHouse refused 'SELEC 1': Syntax error" in str(raised.value)


def test_inserts_over_http_are_compressed(chdb_http):
    with open_store(chdb_http.url("compressed")) as server:
        server.command("CREATE DATABASE IF NOT EXISTS compressed")
        server.command("CREATE TABLE IF NOT EXISTS compressed.t (k String) ENGINE = MergeTree ORDER BY k")
        chdb_http.content_encodings.clear()
        server.insert_rows("t", ("k",), [("a",), ("b",)])
        assert server.query("SELECT count() AS n FROM t") == [{"n": 2}]
    assert chdb_http.content_encodings in (["lz4"], ["zstd"])


def test_close_is_idempotent(store, chdb_dir):
    extra = open_store(store.url)
    extra.close()
    extra.close()


def test_a_second_directory_in_one_process_is_refused(chdb_dir, tmp_path):
    with open_store(f"chdb:{chdb_dir}"), pytest.raises(StoreUnavailableError) as raised:
        open_store(f"chdb:{tmp_path}/other")
    assert "this process already has" in str(raised.value)
    assert "one directory per process" in str(raised.value)


def run_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True, timeout=WAIT, check=False
    )


def test_a_directory_owned_by_another_process_is_refused_naming_that_process(owned_chdb_dir):
    directory, pid = owned_chdb_dir
    refused = run_python(
        """
        import sys
        from otel_agentcost.store import StoreUnavailableError, open_store
        try:
            open_store(sys.argv[1])
        except StoreUnavailableError as error:
            print(error)
        """,
        f"chdb:{directory}",
    )
    assert f"the chDB directory {directory} is in use by another process (PID {pid})" in refused.stdout
    assert "otel-agentcost serve" in refused.stdout
    assert refused.stderr == ""


def test_without_chdb_a_chdb_store_says_how_to_install_it(tmp_path):
    result = run_python(
        """
        import sys
        sys.modules["chdb"] = None  # as if the `embedded` extra were not installed
        from otel_agentcost.store import StoreUnavailableError, open_store
        try:
            open_store(sys.argv[1])
        except StoreUnavailableError as error:
            print(error)
        """,
        f"chdb:{tmp_path}",
    )
    assert INSTALL_HINT == "pip install 'otel-agentcost[embedded]'"
    assert INSTALL_HINT in result.stdout


def test_importing_the_store_package_loads_neither_chdb_nor_the_driver():
    result = run_python(
        """
        import sys
        import otel_agentcost.store
        print(sorted(name for name in ("chdb", "clickhouse_connect") if name in sys.modules))
        """
    )
    assert result.stdout.strip() == "[]", result.stderr


def test_an_unreachable_server_is_unavailable_with_the_reason():
    with pytest.raises(StoreUnavailableError) as raised:
        open_store("http://127.0.0.1:9/?database=otel")
    assert str(raised.value) == "cannot reach the ClickHouse server at http://127.0.0.1:9/: Connection refused"
