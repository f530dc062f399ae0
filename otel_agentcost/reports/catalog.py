"""The reports users ask for by name: which queries each runs, how each section is drawn, and its own options.

A report is a main section (its rows are the `rows` of `--format json`, and what `--format csv` writes) followed by
drill-down sections (extra keys in the JSON, more tables below the main one). The terminal, the web page and the
Grafana dashboard all read this catalog, so a report looks the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Literal

MAIN = "rows"  # the key of a report's main section in JSON output


@dataclass(frozen=True)
class Chart:
    """How the web page and Grafana draw a section: bars or lines of the `y` columns against `x`, one series per
    value of `series` when it is set. Sections without a chart are tables only."""

    kind: Literal["bar", "line"]
    x: str
    y: tuple[str, ...]
    series: str | None = None


@dataclass(frozen=True)
class Section:
    key: str  # JSON key; MAIN for the main section
    query: str  # the file dashboards/<query>.sql
    title: str
    chart: Chart | None = None
    # The columns a person reads first, in order, for the terminal and the web page; JSON and CSV keep every column.
    shown: tuple[str, ...] = ()


@dataclass(frozen=True)
class Option:
    """A report's own command-line option, which sets one of its queries' declared parameters."""

    flag: str
    parameter: str
    metavar: str
    help: str
    parse: Callable[[str], Any]


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    summary: str
    sections: tuple[Section, ...]
    options: tuple[Option, ...] = field(default=())

    @property
    def queries(self) -> tuple[str, ...]:
        return tuple(section.query for section in self.sections)


def token_count(text: str) -> int:
    """`5000`, `5k`, `1.5k` or `2m`: a token count as people write it."""
    cleaned = text.strip().lower().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(cleaned[-1:], 1)
    number = cleaned[:-1] if scale > 1 else cleaned
    try:
        value = float(number) * scale
    except ValueError:
        raise ValueError(f"{text!r} is not a token count: write e.g. 5000, 5k or 1.5k") from None
    if value < 0 or value != int(value):
        raise ValueError(f"{text!r} is not a whole, non-negative token count")
    return int(value)


def band_edges(text: str) -> list[int]:
    """`5k,15k,30k`: ascending output-token band edges."""
    edges = [token_count(part) for part in text.split(",") if part.strip()]
    if not edges or any(low >= high for low, high in pairwise(edges)) or edges[0] == 0:
        raise ValueError(f"{text!r} are not band edges: give ascending token counts above 0, e.g. 5k,15k,30k")
    return edges


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{text!r} is not a positive whole number")
    return value


def non_negative_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"{text!r} is not a number of 0 or more")
    return value


def share(text: str) -> float:
    """`0.2` or `20%`: a fraction of a whole."""
    cleaned = text.strip()
    percent = cleaned.endswith("%")
    value = non_negative_number(cleaned.removesuffix("%")) / (100 if percent else 1)
    if value > 1:
        raise ValueError(f"{text!r} is not a share: give a fraction from 0 to 1, e.g. 0.2 or 20%")
    return value


def mid_band(text: str) -> list[int]:
    """`5k,30k`: the low and high edges of the mid band."""
    edges = band_edges(text)
    if len(edges) != 2:
        raise ValueError(f"{text!r} is not a mid band: give two ascending token counts, e.g. 5k,30k")
    return edges


def model_name(text: str) -> str:
    if not text.strip():
        raise ValueError("give a model name from the price table, e.g. claude-haiku-4-5")
    return text.strip()


_LIMIT = Option("--limit", "limit", "N", "rows in the drill-down lists (default 20)", positive_int)
_TRIVIAL_MAX = Option(
    "--trivial-max",
    "trivial_max_output_tokens",
    "TOKENS",
    "largest trivial unit, in output tokens (default: found from each group's own distribution)",
    token_count,
)

FINDINGS = Report(
    "findings",
    "Findings",
    "What to change to spend less: the waste found, with its evidence and saving per month; biggest first.",
    (
        Section(
            MAIN,
            "findings",
            "Findings, biggest saving first",
            Chart("bar", "subject", ("saving_per_month_usd",)),
            ("rank", "kind", "subject", "saving_per_month_usd", "recommendation", "evidence", "how"),
        ),
    ),
    (
        Option(
            "--min-saving",
            "min_saving_per_month_usd",
            "USD",
            "leave out findings saving less per month (default 0.5)",
            non_negative_number,
        ),
        Option(
            "--heartbeat-interval",
            "heartbeat_interval_minutes",
            "MINUTES",
            "the longer heartbeat interval savings are computed at (default 120)",
            positive_int,
        ),
        Option(
            "--min-inherited-share",
            "min_inherited_share",
            "SHARE",
            "least inherited share of a session's task input (default 0.2)",
            share,
        ),
        Option(
            "--min-foreign-share",
            "min_foreign_share",
            "SHARE",
            "least share of a session's input from other sessions (default 0.05)",
            share,
        ),
        Option("--mid-band", "mid_band", "LOW,HIGH", "the mid band of output tokens (default 5k,30k)", mid_band),
        Option(
            "--min-bail-share", "min_bail_share", "SHARE", "least share of mid-band units bailing (default 0.2)", share
        ),
        Option(
            "--min-tier-gap",
            "min_tier_gap",
            "RATIO",
            "least ratio of a group's smallest heavy unit to its largest trivial one (default 4)",
            non_negative_number,
        ),
        Option(
            "--cheap-model",
            "cheap_model",
            "MODEL",
            "reprice trivial tiers at this model (default: the cheapest the fleet uses of the same provider)",
            model_name,
        ),
        _TRIVIAL_MAX,
    ),
)

_SPEND = ("calls", "input_tokens", "output_tokens", "cost_usd", "cost_share")

BAND_WASTE = Report(
    "band-waste",
    "Band waste",
    "Work units by output-token band: how many, how good, how many bailed, and what the bailing cost.",
    (
        Section(
            MAIN,
            "band_waste",
            "Units by output-token band",
            Chart("bar", "band", ("cost_usd", "wasted_cost_usd")),
            ("band", "units", "avg_grade", "noop_blocked", "output_tokens", "cost_usd", "wasted_cost_usd"),
        ),
        Section(
            "wasted_units",
            "band_waste_units",
            "Costliest wasted units",
            shown=("unit_id", "session_id", "band", "outcome", "reason", "grade", "output_tokens", "cost_usd", "agent"),
        ),
    ),
    (
        Option("--bands", "band_edges", "EDGES", "output-token band edges (default 5k,15k,30k)", band_edges),
        _LIMIT,
    ),
)
HEARTBEAT_DRAIN = Report(
    "heartbeat-drain",
    "Heartbeat drain",
    "Sessions paying for background heartbeat checks, projected per day and month; idle ones first.",
    (
        Section(
            MAIN,
            "heartbeat_drain",
            "Heartbeats per session",
            Chart("bar", "session_id", ("cost_per_day_usd",)),
            (
                "session_id",
                "agent",
                "model",
                "idle",
                "heartbeat_calls",
                "median_interval_minutes",
                "heartbeat_cost_usd",
                "cost_per_day_usd",
                "cost_per_month_usd",
            ),
        ),
        Section(
            "by_day",
            "heartbeat_daily",
            "Heartbeat cost per day",
            Chart("line", "day", ("heartbeat_cost_usd",)),
            ("day", "session_id", "heartbeat_calls", "heartbeat_tokens", "heartbeat_cost_usd"),
        ),
        Section(
            "suspected",
            "heartbeat_suspected",
            "Untagged periodic calls (suspected heartbeats)",
            shown=(
                "session_id",
                "agent",
                "calls",
                "median_interval_minutes",
                "cost_usd",
                "cost_per_day_usd",
                "cost_per_month_usd",
            ),
        ),
    ),
)
CONTEXT = Report(
    "context",
    "Inherited context",
    "Input tokens each task carried over from earlier tasks of its session, and from other sessions.",
    (
        Section(
            MAIN,
            "context_tasks",
            "Inherited context per task",
            Chart("bar", "task_id", ("input_tokens", "inherited_tokens")),
            (
                "session_id",
                "task_id",
                "calls",
                "input_tokens",
                "inherited_tokens",
                "inherited_share",
                "inherited_cost_usd",
                "foreign_tokens",
            ),
        ),
        Section(
            "growth",
            "context_growth",
            "Input tokens per call, task after task",
            Chart("line", "task_index", ("avg_input_tokens",), series="session_id"),
            ("session_id", "task_index", "task_id", "calls", "avg_input_tokens", "inherited_tokens"),
        ),
        Section(
            "foreign",
            "context_foreign",
            "Tokens from other sessions (bleed)",
            shown=(
                "session_id",
                "agent",
                "calls",
                "foreign_calls",
                "foreign_tokens",
                "foreign_share",
                "foreign_cost_usd",
            ),
        ),
    ),
)
LANES = Report(
    "lanes",
    "Lanes",
    "Per role (or lane) and model, the split of work units into a trivial and a heavy tier.",
    (
        Section(
            MAIN,
            "lanes",
            "Trivial and heavy units",
            Chart("bar", "group", ("cost_usd",), series="tier"),
            (
                "group",
                "model",
                "tier",
                "threshold_output_tokens",
                "units",
                "output_tokens",
                "cost_usd",
                "avg_grade",
                "success_units",
                "noop_units",
                "blocked_units",
                "failed_units",
            ),
        ),
    ),
    (_TRIVIAL_MAX,),
)
COST = Report(
    "cost",
    "Cost",
    "Cost and tokens by model, provider, agent, trigger and day, and the costliest sessions.",
    (
        Section(
            MAIN, "cost_by_model", "By model", Chart("bar", "model", ("cost_usd",)), ("provider", "model", *_SPEND)
        ),
        Section(
            "by_provider",
            "cost_by_provider",
            "By provider",
            Chart("bar", "provider", ("cost_usd",)),
            ("provider", *_SPEND),
        ),
        Section(
            "by_agent", "cost_by_agent", "By agent", Chart("bar", "agent", ("cost_usd",)), ("agent", "role", *_SPEND)
        ),
        Section(
            "by_trigger", "cost_by_trigger", "By trigger", Chart("bar", "trigger", ("cost_usd",)), ("trigger", *_SPEND)
        ),
        Section("by_day", "cost_by_day", "By day", Chart("line", "day", ("cost_usd",)), ("day", *_SPEND[:-1])),
        Section(
            "top_sessions",
            "cost_top_sessions",
            "Costliest sessions",
            shown=(
                "session_id",
                "agent",
                "calls",
                "tasks",
                "heartbeat_calls",
                "cost_usd",
                "cost_share",
                "first_call_at",
            ),
        ),
    ),
    (_LIMIT,),
)

REPORTS: dict[str, Report] = {
    report.name: report for report in (FINDINGS, BAND_WASTE, HEARTBEAT_DRAIN, CONTEXT, LANES, COST)
}
