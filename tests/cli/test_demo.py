"""`otel-agentcost demo` options: what they default to and how a bad value is refused (before anything runs)."""

from __future__ import annotations

import argparse
from datetime import date, datetime, timezone

import pytest

from otel_agentcost.cli import demo
from otel_agentcost.cli.options import UsageError
from otel_agentcost.demo.fleet import MAX_DAYS


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="otel-agentcost")
    demo.register(parser.add_subparsers())
    return parser.parse_args(["demo", *argv])


def test_defaults_are_three_days_a_fixed_seed_and_a_fresh_directory():
    args = _parse()
    assert (args.days, args.seed, args.store, args.start) == (3, demo.DEFAULT_SEED, None, None)
    assert args.run is demo.run


@pytest.mark.parametrize("days", ["0", str(MAX_DAYS + 1), "-2"])
def test_days_out_of_range_are_refused_naming_the_option(days):
    with pytest.raises(UsageError, match=rf"--days {days} is out of range: the demo simulates 1 to {MAX_DAYS} days"):
        demo.run(_parse("--days", days))


def test_a_start_that_is_not_a_date_is_refused_naming_the_option():
    with pytest.raises(UsageError, match=r"--start '2026-13-01' is not a date: write it as YYYY-MM-DD"):
        demo.run(_parse("--start", "2026-13-01"))


def test_the_simulated_days_end_where_today_begins_unless_a_start_is_given():
    today = date(2026, 3, 10)
    assert demo.simulated_start(None, 3, today) == datetime(2026, 3, 7, tzinfo=timezone.utc)
    assert demo.simulated_start(" 2026-01-05 ", 3, today) == datetime(2026, 1, 5, tzinfo=timezone.utc)


def test_the_default_directory_is_a_new_one_next_to_those_of_earlier_runs(tmp_path):
    base = tmp_path / demo.DEFAULT_DIRECTORY
    assert demo.fresh_directory(base) == base
    base.mkdir()
    (tmp_path / f"{demo.DEFAULT_DIRECTORY}-2").mkdir()
    assert demo.fresh_directory(base) == tmp_path / f"{demo.DEFAULT_DIRECTORY}-3"
