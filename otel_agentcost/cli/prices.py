"""`otel-agentcost prices`: the price table costs are computed with (bundled prices plus the user's file)."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from otel_agentcost.cli.options import add_format_option, write_rows
from otel_agentcost.pricing import COLUMNS, PriceTable


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "prices",
        help="show the price table (USD per million tokens)",
        description="Show the bundled prices with the user's file applied. A blank cache price means those "
        "tokens cost the input price.",
    )
    parser.add_argument(
        "--prices", metavar="FILE", help="user price CSV extending the bundled prices ($AGENTCOST_PRICES)"
    )
    add_format_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    rows = [dataclasses.asdict(price) for price in PriceTable.load(args.prices).rows()]
    write_rows(rows, COLUMNS, args.format, sys.stdout)
    return 0
