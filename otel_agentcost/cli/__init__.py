"""The `otel-agentcost` command line: one module per command, each with `register(subparsers)`.

A command module adds its parser to the subparsers and sets `run` (a function of the parsed arguments returning
the exit code) as a default. `COMMANDS` lists them in the order `--help` shows them. Expected failures (a bad
option value, a bad store URL, a store that cannot be opened, a missing schema, a bad price file) are one line on
stderr and exit code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from otel_agentcost.cli import db, demo, findings, prices, report, serve
from otel_agentcost.cli.options import UsageError
from otel_agentcost.pricing import PriceFileError
from otel_agentcost.store import StoreError
from otel_agentcost.version import __version__

COMMANDS = (findings, demo, report, db, serve, prices)
PROG = "otel-agentcost"
# Drivers log connection retries as warnings before raising; the raised error is what the user needs to read.
_QUIET_LOGGERS = ("clickhouse_connect", "urllib3")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Where autonomous LLM agents spend their tokens: OpenTelemetry spans in ClickHouse."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, or a usage error argparse already printed
        return int(exit_.code or 0)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        return args.run(args)
    except (UsageError, StoreError, PriceFileError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader left (`... | head`): stop quietly, and keep Python from complaining while flushing at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
