"""`otel-agentcost report`: every report over a store, as a table people read, JSON and CSV; and its errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from report_data import BASE, PRICES, Call, Outcome, every, price, rows

from otel_agentcost.cli import main
from otel_agentcost.pricing import PriceTable
from otel_agentcost.reports import REPORTS
from otel_agentcost.store import open_store
from otel_agentcost.store.schema import init_schema

WINDOW = ("--from", "2026-03-01", "--to", "2026-03-10")
# The keys the design's command-line contract promises, per report.
CONTRACT = {
    "findings": {"rank", "kind", "subject", "evidence", "recommendation", "saving_per_month_usd", "how"},
    "band-waste": {"band", "units", "avg_grade", "noop_blocked", "output_tokens", "cost_usd", "wasted_cost_usd"},
    "heartbeat-drain": {
        "session_id",
        "heartbeat_calls",
        "heartbeat_tokens",
        "heartbeat_cost_usd",
        "cost_per_day_usd",
        "median_interval_minutes",
        "idle",
    },
    "context": {
        "session_id",
        "task_id",
        "input_tokens",
        "inherited_tokens",
        "inherited_share",
        "inherited_cost_usd",
        "foreign_tokens",
    },
    "lanes": {"units", "output_tokens", "cost_usd"},
    "cost": {"model", "provider", "calls", "input_tokens", "output_tokens", "cost_usd"},
}
PM = {"session": "s-work", "role": "pm"}
FLEET = [
    *(
        Call(at, session="s-idle", trigger="heartbeat", input_tokens=8000, output_tokens=40)
        for at in every(BASE, timedelta(minutes=30), 12)
    ),
    Call(BASE, task="T-1", output_tokens=2000, input_tokens=3000, **PM),
    Call(BASE + timedelta(minutes=5), task="T-2", output_tokens=9000, input_tokens=6000, inherited_tokens=3000, **PM),
    Call(
        BASE + timedelta(minutes=9),
        task="T-3",
        output_tokens=40000,
        input_tokens=9000,
        inherited_tokens=6000,
        model="acme-small",
        **PM,
    ),
    Outcome(BASE + timedelta(minutes=4), "success", task="T-1", grade=0.8),
    Outcome(BASE + timedelta(minutes=8), "blocked", task="T-2", grade=0.3, reason="claim denied"),
    Outcome(BASE + timedelta(minutes=30), "success", task="T-3", grade=0.9),
]


@pytest.fixture(scope="module")
def store_url(chdb_dir, tmp_path_factory):
    url = f"chdb:{chdb_dir}?database=fleet"
    prices = tmp_path_factory.mktemp("prices") / "prices.csv"
    prices.write_text(PRICES)
    with open_store(url) as store:
        init_schema(store, prices=PriceTable.load(prices))
        store.insert_spans(rows(FLEET, "agentcost"))
    return url


def report(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["report", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_band_waste_table_reads_like_the_designs_table(capsys, store_url):
    code, out, err = report(capsys, "band-waste", "--store", store_url, *WINDOW)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Band waste, 2026-03-01 00:00 to 2026-03-10 00:00 UTC"
    header = next(line for line in lines if "Band" in line and "Units" in line)
    assert header.split()[:6] == ["Band", "Units", "Avg", "grade", "NOOP", "+"]
    bands = [line.split()[0] for line in lines[lines.index(header) + 2 :] if line.strip()][:4]
    assert bands == ["<5k", "5k-15k", "15k-30k", ">30k"]
    assert "claim denied" in out  # the drill-down list of wasted units
    assert "$" in out


@pytest.mark.parametrize("name", list(REPORTS))
def test_json_is_rows_with_the_contracts_keys_and_every_drill_down_section(capsys, store_url, name):
    code, out, _ = report(capsys, name, "--store", store_url, *WINDOW, "--format", "json")
    document = json.loads(out)
    assert code == 0
    assert set(document) == {section.key for section in REPORTS[name].sections}
    assert document["rows"], name
    assert CONTRACT[name] <= set(document["rows"][0])


def test_heartbeat_drain_json_projects_the_idle_sessions_cost_per_day(capsys, store_url):
    _, out, _ = report(capsys, "heartbeat-drain", "--store", store_url, *WINDOW, "--format", "json")
    (row,) = json.loads(out)["rows"]
    assert (row["session_id"], row["heartbeat_calls"], row["idle"], row["median_interval_minutes"]) == (
        "s-idle",
        12,
        True,
        30,
    )
    assert row["heartbeat_cost_usd"] == pytest.approx(12 * price("acme-large", 8000, 40))
    assert row["cost_per_day_usd"] == pytest.approx(48 * price("acme-large", 8000, 40))


def test_csv_writes_the_main_section_or_the_one_named(capsys, store_url):
    _, out, _ = report(capsys, "band-waste", "--store", store_url, *WINDOW, "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert [row["band"] for row in table] == ["<5k", "5k-15k", "15k-30k", ">30k"]
    _, out, _ = report(
        capsys, "band-waste", "--store", store_url, *WINDOW, "--format", "csv", "--section", "wasted_units"
    )
    (wasted,) = list(csv.DictReader(io.StringIO(out)))
    assert (wasted["unit_id"], wasted["outcome"], wasted["reason"]) == ("T-2", "blocked", "claim denied")


def test_report_options_reach_the_sql(capsys, store_url):
    _, out, _ = report(capsys, "band-waste", "--store", store_url, *WINDOW, "--format", "json", "--bands", "10k")
    assert [row["band"] for row in json.loads(out)["rows"]] == ["<10k", ">10k"]


def test_filters_reach_the_sql(capsys, store_url):
    _, out, _ = report(capsys, "cost", "--store", store_url, *WINDOW, "--format", "json", "--model", "acme-small")
    assert [row["model"] for row in json.loads(out)["rows"]] == ["acme-small"]


def test_an_empty_window_says_so_and_json_still_has_rows(capsys, store_url):
    code, out, err = report(capsys, "cost", "--store", store_url, "--from", "2020-01-01", "--to", "2020-02-01")
    assert (code, out) == (0, "")
    assert "No data for this report between 2020-01-01 00:00 and 2020-02-01 00:00 UTC" in err
    code, out, _ = report(capsys, "cost", "--store", store_url, "--since", "1h", "--format", "json")
    assert json.loads(out)["rows"] == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["cost", "--bands", "5k"], "--bands does not apply to report cost"),
        (["band-waste", "--bands", "15k,5k"], "--bands: '15k,5k' are not band edges"),
        (["band-waste", "--limit", "0"], "--limit: '0' is not a positive whole number"),
        (["band-waste", "--section", "wasted_units"], "--section only applies to --format csv"),
        (["band-waste", "--format", "csv", "--section", "nope"], "report band-waste has no section 'nope'"),
        ([], "name a report (findings, band-waste, heartbeat-drain, context, lanes, cost) or give --html FILE"),
    ],
)
def test_a_bad_option_is_one_line_naming_it_and_exit_2(capsys, store_url, argv, message):
    code, out, err = report(capsys, *argv, "--store", store_url)
    assert (code, out) == (2, "")
    assert message in err and err.count("\n") == 1


def test_a_store_without_the_schema_says_how_to_create_it(capsys, chdb_dir):
    code, _, err = report(capsys, "cost", "--store", f"chdb:{chdb_dir}?database=empty")
    assert code == 2
    assert "otel-agentcost db init --store" in err


def test_views_of_an_older_version_say_how_to_upgrade(capsys, chdb_dir):
    url = f"chdb:{chdb_dir}?database=old"
    with open_store(url) as store:
        init_schema(store)
        store.command("TRUNCATE TABLE agentcost_schema")
        store.command("INSERT INTO agentcost_schema (version, package_version) VALUES (1, '0.1.0')")
    code, _, err = report(capsys, "cost", "--store", url)
    assert code == 2
    assert "are version 1" in err and "upgrade them with: otel-agentcost db init" in err


def test_html_writes_one_self_contained_page_of_every_report(capsys, store_url, tmp_path):
    page = tmp_path / "agentcost.html"
    code, out, err = report(capsys, "--html", str(page), "--store", store_url, *WINDOW)
    html = page.read_text()
    assert (code, out) == (0, "")
    assert err == f"wrote {page}: findings, band-waste, heartbeat-drain, context, lanes, cost\n"
    assert all(f'id="{name}"' in html for name in REPORTS)
    assert "<svg" in html and "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")


def test_html_of_one_report_and_an_unwritable_file(capsys, store_url, tmp_path):
    page = tmp_path / "lanes.html"
    assert report(capsys, "lanes", "--html", str(page), "--store", store_url, *WINDOW)[0] == 0
    assert 'id="lanes"' in page.read_text() and 'id="cost"' not in page.read_text()
    code, _, err = report(capsys, "lanes", "--html", str(tmp_path / "missing" / "x.html"), "--store", store_url)
    assert code == 2
    assert "cannot write the page" in err


def test_the_terminal_shows_the_first_rows_of_a_long_section_and_how_to_get_them_all(capsys, store_url, monkeypatch):
    from otel_agentcost.cli import report as report_command

    monkeypatch.setattr(report_command, "TABLE_ROWS", 1)
    _, out, _ = report(capsys, "cost", "--store", store_url, *WINDOW)
    assert "… 1 more row: --format csv writes them all" in out  # two models, one shown
    assert "--format csv --section top_sessions writes them all" in out
