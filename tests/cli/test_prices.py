"""`otel-agentcost prices`: the price table costs are computed with, in each output format."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import pytest

from otel_agentcost.cli import main
from otel_agentcost.pricing import COLUMNS, PriceTable

USER_PRICES = "model,input_per_mtok,output_per_mtok,cache_read_per_mtok\ngpt-4o,1.25,5,\nin-house-7b,0.05,0.1,0.01\n"


def output(capsys, *argv: str) -> str:
    assert main(["prices", *argv]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def test_json_lists_every_price_of_the_table(capsys):
    rows = json.loads(output(capsys, "--format", "json"))["rows"]
    expected = [dataclasses.asdict(price) for price in PriceTable.load(None).rows()]
    assert rows == expected
    assert list(rows[0]) == list(COLUMNS)


def test_csv_has_the_price_file_columns(capsys):
    rows = list(csv.reader(io.StringIO(output(capsys, "--format", "csv"))))
    assert rows[0] == list(COLUMNS)
    assert len(rows) == len(PriceTable.load(None).rows()) + 1


def test_the_table_shows_one_line_per_model(capsys):
    lines = output(capsys).splitlines()
    assert lines[0].split()[:2] == ["model", "provider"]
    models = {line.split()[0] for line in lines[2:]}
    assert models == {price.model for price in PriceTable.load(None).rows()}


@pytest.mark.parametrize("how", ["option", "environment"])
def test_user_prices_override_and_extend_the_bundled_ones(capsys, tmp_path, monkeypatch, how):
    prices = tmp_path / "prices.csv"
    prices.write_text(USER_PRICES)
    argv = ["--format", "json"]
    if how == "option":
        argv += ["--prices", str(prices)]
    else:
        monkeypatch.setenv("AGENTCOST_PRICES", str(prices))
    rows = {row["model"]: row for row in json.loads(output(capsys, *argv))["rows"]}
    assert (rows["gpt-4o"]["input_per_mtok"], rows["gpt-4o"]["cache_read_per_mtok"]) == (1.25, None)
    assert rows["in-house-7b"]["source"] == str(prices)


def test_a_blank_cache_price_is_an_empty_cell(capsys, tmp_path):
    prices = tmp_path / "prices.csv"
    prices.write_text(USER_PRICES)
    rows = {
        row["model"]: row
        for row in csv.DictReader(io.StringIO(output(capsys, "--prices", str(prices), "--format", "csv")))
    }
    assert (rows["gpt-4o"]["cache_read_per_mtok"], rows["gpt-4o"]["cache_write_per_mtok"]) == ("", "")


def test_a_bad_price_file_lists_its_problems_and_exits_2(capsys, tmp_path):
    prices = tmp_path / "prices.csv"
    prices.write_text("model,input_per_mtok,output_per_mtok\ngpt-4o,-1,2\n,1,2\n")
    assert main(["prices", "--prices", str(prices)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"otel-agentcost: error: price file {prices} was not loaded (2 problems):")
    assert "line 2: input_per_mtok '-1' is negative" in captured.err
    assert "line 3: model is empty" in captured.err
