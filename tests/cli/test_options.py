"""The shared options: time windows and output formats."""

from __future__ import annotations

import argparse
import io
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from otel_agentcost.cli.options import (
    TimeWindow,
    UsageError,
    add_format_option,
    add_store_option,
    add_window_options,
    parse_duration,
    store_url,
    time_window,
    write_rows,
)

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)


def window(*argv: str) -> TimeWindow:
    parser = argparse.ArgumentParser()
    add_window_options(parser, default_since="7d")
    return time_window(parser.parse_args(argv), now=NOW)


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("30d", timedelta(days=30)),
        ("12h", timedelta(hours=12)),
        ("90m", timedelta(minutes=90)),
        ("2w", timedelta(weeks=2)),
        ("1d12h", timedelta(days=1, hours=12)),
        (" 45M ", timedelta(minutes=45)),
    ],
)
def test_durations(text, duration):
    assert parse_duration(text) == duration


@pytest.mark.parametrize("text", ["30", "d", "30 days", "1.5h", "-3d", "3s", "0d", ""])
def test_a_bad_duration_says_how_to_write_one(text):
    with pytest.raises(UsageError, match="--since"):
        parse_duration(text)


def test_the_default_window_is_the_commands_default_since_up_to_now():
    assert window() == TimeWindow(NOW - timedelta(days=7), NOW)


def test_since_ends_now():
    assert window("--since", "12h") == TimeWindow(NOW - timedelta(hours=12), NOW)


def test_from_and_to_are_iso_datetimes_in_utc_unless_they_say_otherwise():
    assert window("--from", "2026-03-01", "--to", "2026-03-02T06:30:00+02:00") == TimeWindow(
        datetime(2026, 3, 1, tzinfo=timezone.utc), datetime(2026, 3, 2, 4, 30, tzinfo=timezone.utc)
    )
    assert window("--from", "2026-03-01T09:30:00Z").start == datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)


def test_from_alone_ends_now():
    assert window("--from", "2026-03-10").end == NOW


def test_the_window_binds_as_the_from_and_to_parameters():
    assert window("--since", "1d").parameters() == {"from": NOW - timedelta(days=1), "to": NOW}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "yesterday"], "--from 'yesterday' is not an ISO 8601 date or datetime"),
        (["--from", "2026-03-01", "--to", "03/02/2026"], "--to '03/02/2026' is not an ISO 8601"),
        (["--from", "2026-03-02", "--to", "2026-03-01"], "--from 2026-03-02 is not before --to 2026-03-01"),
        (["--since", "30d", "--from", "2026-03-01"], "--since cannot be combined with --from/--to"),
        (["--since", "soon"], "--since 'soon' is not a duration"),
    ],
)
def test_a_bad_window_names_the_option_and_the_value(argv, message):
    with pytest.raises(UsageError) as raised:
        window(*argv)
    assert message in str(raised.value)


def test_the_store_option_defaults_to_agentcost_store(monkeypatch):
    parser = argparse.ArgumentParser()
    add_store_option(parser)
    monkeypatch.setenv("AGENTCOST_STORE", "http://ch:8123/")
    assert store_url(parser.parse_args([])) == "http://ch:8123/"
    assert store_url(parser.parse_args(["--store", "chdb:/x"])) == "chdb:/x"


def test_the_format_option_accepts_only_table_json_and_csv(capsys):
    parser = argparse.ArgumentParser()
    add_format_option(parser)
    assert parser.parse_args([]).format == "table"
    with pytest.raises(SystemExit):
        parser.parse_args(["--format", "xml"])
    assert "invalid choice: 'xml'" in capsys.readouterr().err


ROWS = [
    {"model": "m1", "cost": 0.1234567891, "at": datetime(2026, 3, 1, tzinfo=timezone.utc), "n": Decimal("2.5")},
    {"model": "m2", "cost": None, "at": date(2026, 3, 2), "n": 3, "ignored": "x"},
]
COLUMNS = ("model", "cost", "at", "n")


def rendered(fmt: str, rows=ROWS) -> str:
    out = io.StringIO()
    write_rows(rows, COLUMNS, fmt, out)
    return out.getvalue()


def test_json_is_an_object_with_rows_in_column_order():
    document = json.loads(rendered("json"))
    assert document == {
        "rows": [
            {"model": "m1", "cost": 0.1234567891, "at": "2026-03-01T00:00:00+00:00", "n": 2.5},
            {"model": "m2", "cost": None, "at": "2026-03-02", "n": 3},
        ]
    }
    assert list(document["rows"][0]) == list(COLUMNS)


def test_csv_has_a_header_and_keeps_every_digit():
    assert rendered("csv").splitlines() == [
        "model,cost,at,n",
        "m1,0.1234567891,2026-03-01T00:00:00+00:00,2.5",
        "m2,,2026-03-02,3",
    ]


def test_a_table_has_the_columns_and_rounds_floats_to_six_decimals():
    lines = [line.rstrip() for line in rendered("table").splitlines()]
    assert lines[0].split() == list(COLUMNS)
    assert lines[2].split() == ["m1", "0.123457", "2026-03-01T00:00:00+00:00", "2.5"]
    assert lines[3].split() == ["m2", "2026-03-02", "3"]


def test_no_rows_still_give_the_header():
    assert rendered("csv", rows=[]) == "model,cost,at,n\n"
    assert rendered("table", rows=[]).split()[:4] == list(COLUMNS)
    assert json.loads(rendered("json", rows=[])) == {"rows": []}
