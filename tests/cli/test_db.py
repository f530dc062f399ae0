"""`otel-agentcost db init`: what it creates, what it says, and its exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from otel_agentcost.cli import main
from otel_agentcost.store import open_store
from otel_agentcost.store.schema import SCHEMA_VERSION
from tests.store.test_schema import COLLECTOR_DDL, COLLECTOR_INSERT

WAIT = 60  # seconds: a bound on a helper process, never a timing assertion


@pytest.fixture
def embedded(chdb_dir, request):
    """A chdb: URL of its own database, in the module's directory (one chDB directory per process)."""
    return f"chdb:{chdb_dir}?database={request.node.name.replace('test_', '')[:40]}"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_db_init_creates_the_schema_and_says_so(capsys, embedded, chdb_dir):
    code, out, err = run(capsys, "db", "init", "--store", embedded)
    database = embedded.rpartition("=")[2]
    assert (code, err) == (0, "")
    assert out.startswith(f"database {database} ready in chdb:{chdb_dir}?database={database}: otel_traces created, ")
    assert out.endswith(f" prices loaded, views at version {SCHEMA_VERSION}\n")
    with open_store(embedded) as store:
        assert store.query("SELECT count() AS n FROM agentcost_llm_calls") == [{"n": 0}]


def test_db_init_again_keeps_otel_traces(capsys, embedded):
    assert run(capsys, "db", "init", "--store", embedded)[0] == 0
    code, out, _ = run(capsys, "db", "init", "--store", embedded)
    assert code == 0
    assert "otel_traces already there, kept" in out
    assert out.endswith(f"views at version {SCHEMA_VERSION}\n")


def test_db_init_says_when_it_upgraded_an_older_install(capsys, embedded):
    assert run(capsys, "db", "init", "--store", embedded)[0] == 0
    with open_store(embedded) as store:
        store.command("TRUNCATE TABLE agentcost_schema")
        store.command("INSERT INTO agentcost_schema (version, package_version) VALUES (0, '0.0.1')")
    code, out, _ = run(capsys, "db", "init", "--store", embedded)
    assert code == 0
    assert out.endswith(
        f"views at version {SCHEMA_VERSION} (upgraded from version 0)\nrollups filled from the spans stored before\n"
    )


def test_db_init_rebuild_rollups_fills_them_again_from_otel_traces(capsys, embedded):
    assert run(capsys, "db", "init", "--store", embedded)[0] == 0
    with open_store(embedded) as store:
        store.command(COLLECTOR_INSERT)
        store.command("TRUNCATE TABLE agentcost_units")  # as if the rollup had lost its rows
    code, out, _ = run(capsys, "db", "init", "--store", embedded, "--rebuild-rollups")
    assert code == 0 and out.endswith("rollups rebuilt from otel_traces\n")
    with open_store(embedded) as store:
        assert store.query("SELECT sum(calls) AS n FROM agentcost_units") == [{"n": 2}]


def test_db_init_uses_agentcost_store_when_no_store_is_given(capsys, embedded, monkeypatch):
    monkeypatch.setenv("AGENTCOST_STORE", embedded)
    code, out, _ = run(capsys, "db", "init")
    assert code == 0
    assert f"ready in {embedded}" in out


def test_db_init_loads_user_prices_and_a_ttl(capsys, embedded, tmp_path):
    prices = tmp_path / "prices.csv"
    prices.write_text("model,input_per_mtok,output_per_mtok\nin-house-7b,0.05,0.10\n")
    assert run(capsys, "db", "init", "--store", embedded, "--prices", str(prices), "--ttl-days", "14")[0] == 0
    with open_store(embedded) as store:
        assert store.query("SELECT input_per_mtok FROM agentcost_prices WHERE model = 'in-house-7b'") == [
            {"input_per_mtok": 0.05}
        ]
        (table,) = store.query("SHOW CREATE TABLE otel_traces")
    assert "toIntervalDay(" in table["statement"]


def test_db_init_over_http(capsys, chdb_http):
    code, out, err = run(capsys, "db", "init", "--store", chdb_http.url("over_http"))
    assert (code, err) == (0, "")
    assert f"database over_http ready in http://default@127.0.0.1:{chdb_http.port}/?database=over_http" in out


def error_of(capsys, *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_a_bad_store_url_is_one_line_and_exit_2(capsys):
    err = error_of(capsys, "db", "init", "--store", "chdb")
    assert err.startswith("otel-agentcost: error: bad store URL 'chdb': no scheme. Did you mean 'chdb:PATH'?")
    assert "Accepted forms: chdb:PATH" in err


def test_an_unreachable_server_is_one_line_and_exit_2(capsys):
    err = error_of(capsys, "db", "init", "--store", "http://writer:hunter2@127.0.0.1:9/")
    assert err == "otel-agentcost: error: cannot reach the ClickHouse server at http://writer:***@127.0.0.1:9/: " \
        "Connection refused\n"  # fmt: skip


def test_a_cluster_name_that_is_not_an_identifier_is_one_line_and_exit_2(capsys, embedded):
    err = error_of(capsys, "db", "init", "--store", embedded, "--cluster", "prod-cluster")
    assert "cluster name 'prod-cluster' is not a plain identifier" in err


def test_a_ttl_of_zero_days_is_refused(capsys, embedded):
    assert "--ttl-days 0 is not a number of days" in error_of(
        capsys, "db", "init", "--store", embedded, "--ttl-days", "0"
    )


def test_a_ttl_that_is_not_a_number_is_a_usage_error(capsys, embedded):
    code, _, err = run(capsys, "db", "init", "--store", embedded, "--ttl-days", "two")
    assert code == 2
    assert "argument --ttl-days: invalid int value: 'two'" in err


def test_a_bad_price_file_is_refused_naming_the_file(capsys, embedded, tmp_path):
    prices = tmp_path / "prices.csv"
    prices.write_text("model,input_per_mtok,output_per_mtok\ngpt-4o,cheap,2\n")
    code, out, err = run(capsys, "db", "init", "--store", embedded, "--prices", str(prices))
    assert (code, out) == (2, "")
    assert err.startswith(f"otel-agentcost: error: price file {prices} was not loaded (1 problem):")
    assert "input_per_mtok 'cheap' is not a number" in err


def run_cli_process(*argv: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    code = f"import sys\n{prelude}\nfrom otel_agentcost.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=WAIT, check=False
    )


def test_without_chdb_installed_db_init_says_how_to_install_it(tmp_path):
    result = run_cli_process("db", "init", "--store", f"chdb:{tmp_path}", prelude="sys.modules['chdb'] = None")
    assert result.returncode == 2
    assert result.stderr == (
        f"otel-agentcost: error: the store chdb:{tmp_path} needs the embedded ClickHouse engine (chDB), "
        "which is not installed: pip install 'otel-agentcost[embedded]'\n"
    )


def test_a_directory_another_process_owns_is_one_line_and_exit_2(owned_chdb_dir):
    directory, pid = owned_chdb_dir
    result = run_cli_process("db", "init", "--store", f"chdb:{directory}")
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"otel-agentcost: error: the chDB directory {directory} is in use by another process (PID {pid})"
    )
    assert result.stderr.count("\n") == 1


def test_db_init_materialize_writes_the_typed_columns_into_spans_stored_before(capsys, embedded):
    with open_store(embedded) as store:
        store.command("CREATE DATABASE {database:Identifier}", {"database": store.database})
        store.command(COLLECTOR_DDL, {"database": store.database})
        store.command(COLLECTOR_INSERT)  # the collector's spans, in parts without the typed columns
        assert parts_with_typed_columns(store) == 0
    code, out, _ = run(capsys, "db", "init", "--store", embedded, "--materialize")
    assert code == 0 and out.endswith("typed columns written into the spans stored before\n")
    with open_store(embedded) as store:
        assert parts_with_typed_columns(store) == len(store.query(ACTIVE_PARTS, {"database": store.database}))


ACTIVE_PARTS = "SELECT name FROM system.parts WHERE database = {database:String} AND table = 'otel_traces' AND active"


def parts_with_typed_columns(store):
    (row,) = store.query(
        "SELECT count() AS n FROM system.parts_columns WHERE database = {database:String} AND table = 'otel_traces' "
        "AND active AND column = 'agentcost_llm_call'",
        {"database": store.database},
    )
    return row["n"]
