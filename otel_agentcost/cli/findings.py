"""`otel-agentcost findings`: the findings report under its own name, the same as `otel-agentcost report findings`.

Findings are the first thing to read (what to change, and what it saves), so they get a command of their own. Its
options are the findings report's; output formats, errors and the run itself are `report`'s, which this reuses.
"""

from __future__ import annotations

import argparse

from otel_agentcost.cli import report
from otel_agentcost.cli.options import add_filter_options, add_format_option, add_store_option, add_window_options
from otel_agentcost.reports import REPORTS
from otel_agentcost.reports.catalog import FINDINGS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        FINDINGS.name,
        help="what to change to spend less, with the evidence and the estimated saving per month",
        description=f"{FINDINGS.summary} The same as `otel-agentcost report {FINDINGS.name}`.",
    )
    add_store_option(parser)
    add_window_options(parser)
    add_format_option(parser)
    add_filter_options(parser)
    thresholds = parser.add_argument_group("thresholds")
    for option in FINDINGS.options:
        thresholds.add_argument(option.flag, dest=option.parameter, metavar=option.metavar, help=option.help)
    # report.run reads every report's options; the other reports' are never given here.
    others = {option.parameter: None for other in REPORTS.values() for option in other.options}
    others.update({option.parameter: None for option in FINDINGS.options})
    parser.set_defaults(run=report.run, name=FINDINGS.name, html=None, section=None, **others)
