"""`otel-agentcost findings`: the findings report under its own name, its thresholds as options, its errors."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from report_data import BASE, PRICES, Call, every, price, rows

from otel_agentcost.cli import main
from otel_agentcost.pricing import PriceTable
from otel_agentcost.store import open_store
from otel_agentcost.store.schema import init_schema

WINDOW = ("--from", "2026-03-02", "--to", "2026-03-03")
IDLE = [
    Call(at, session="s-idle", agent="watch-1", trigger="heartbeat", input_tokens=8000, output_tokens=40)
    for at in every(BASE, timedelta(minutes=30), 12)
]
BEAT = price("acme-large", 8000, 40)
SAVING = BEAT * (48 - 12) * 30  # beats a day at 30 minutes, less those at 120, over 30 days


@pytest.fixture(scope="module")
def store_url(chdb_dir, tmp_path_factory):
    url = f"chdb:{chdb_dir}?database=findings_cli"
    prices = tmp_path_factory.mktemp("prices") / "prices.csv"
    prices.write_text(PRICES)
    with open_store(url) as store:
        init_schema(store, prices=PriceTable.load(prices))
        store.insert_spans(rows(IDLE, "agentcost"))
    return url


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_findings_is_the_same_as_report_findings(capsys, store_url):
    code, out, _ = run(capsys, "findings", "--store", store_url, *WINDOW, "--format", "json")
    assert code == 0
    assert out == run(capsys, "report", "findings", "--store", store_url, *WINDOW, "--format", "json")[1]
    (row,) = json.loads(out)["rows"]
    assert (row["rank"], row["kind"], row["subject"]) == (1, "idle_heartbeats", "session s-idle (watch-1)")
    assert row["saving_per_month_usd"] == pytest.approx(SAVING)


def test_the_table_shows_the_finding_with_its_saving_and_recommendation(capsys, store_url):
    code, out, err = run(capsys, "findings", "--store", store_url, *WINDOW)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "Findings, 2026-03-02 00:00 to 2026-03-03 00:00 UTC"
    assert f"${SAVING:.2f}" in out and "Stop heartbeats while the session is idle" in out


def test_thresholds_reach_the_sql(capsys, store_url):
    _, out, _ = run(capsys, "findings", "--store", store_url, *WINDOW, "--format", "json", "--heartbeat-interval", "60")
    assert json.loads(out)["rows"][0]["saving_per_month_usd"] == pytest.approx(BEAT * (48 - 24) * 30)
    code, out, err = run(capsys, "findings", "--store", store_url, *WINDOW, "--min-saving", "1000")
    assert (code, out) == (0, "") and "No data" in err


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--min-bail-share", "150%", "is not a share"),
        ("--mid-band", "5k", "is not a mid band"),
        ("--min-saving", "lots", "is not a number of 0 or more"),
        ("--heartbeat-interval", "0", "is not a positive whole number"),
    ],
)
def test_a_bad_threshold_is_a_usage_error_naming_the_option(capsys, store_url, flag, value, message):
    code, _, err = run(capsys, "findings", "--store", store_url, *WINDOW, flag, value)
    assert code == 2
    assert flag in err and message in err


def test_findings_is_listed_first_in_the_help(capsys):
    assert main(["--help"]) == 0
    commands = capsys.readouterr().out.split("commands:")[1].split()
    assert commands[1] == "findings"
