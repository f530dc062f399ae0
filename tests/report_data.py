"""Data sets for the dashboards' SQL, built so that the right answer is known, in two dialects.

- `agentcost`: the attribute names and values this project's instrumentation writes;
- `collector`: the same calls as other instrumentations name them (OpenLLMetry / OpenLIT / the Anthropic SDK:
  `gen_ai.conversation.id` or `session.id` for the session, `gen_ai.system`, prompt/completion tokens, cache writes
  as `cache_write`), no cost attribute, and an older collector's `STATUS_CODE_ERROR`.
Every query must give the same answer on both. Costs come from PRICES through the views (the `agentcost` dialect's
own cost is a `price_table` one, which the views recompute), so a test computes them by hand from the table.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from otel_agentcost.reports import Filters, TimeWindow, run_query
from otel_agentcost.store import Store
from otel_agentcost.store.columns import SpanRow

DIALECTS = ("agentcost", "collector")
BASE = datetime(2026, 3, 2, tzinfo=timezone.utc)
ALL_TIME = TimeWindow(datetime(1970, 1, 1, tzinfo=timezone.utc), datetime(2200, 1, 1, tzinfo=timezone.utc))
PRICES = """model,input_per_mtok,output_per_mtok,cache_read_per_mtok,cache_write_per_mtok
acme-large,3.00,15.00,0.30,3.75
acme-small,0.25,1.25,,
"""
# USD per token, as PRICES says
INPUT = {"acme-large": 3.00e-6, "acme-small": 0.25e-6}
OUTPUT = {"acme-large": 15.00e-6, "acme-small": 1.25e-6}


def price(model: str, input_tokens: int, output_tokens: int) -> float:
    """The cost of an uncached call, by hand from PRICES."""
    return input_tokens * INPUT[model] + output_tokens * OUTPUT[model]


@dataclass(frozen=True)
class Call:
    """One LLM call. `session`/`task` empty means none; `at` is the start time."""

    at: datetime
    session: str = ""
    task: str = ""
    task_kind: str = ""
    trigger: str = ""
    model: str = "acme-large"
    provider: str = "acme"
    input_tokens: int = 1000
    output_tokens: int = 100
    inherited_tokens: int = 0
    foreign_tokens: int = 0
    role: str = ""
    lane: str = ""
    agent: str = ""
    service: str = "agents"
    error: bool = False


@dataclass(frozen=True)
class Outcome:
    """An outcome recorded for a task (or, without a task, for a session)."""

    at: datetime
    outcome: str
    session: str = ""
    task: str = ""
    grade: float | None = None
    reason: str = ""


_ids = itertools.count(1)


def insert(store: Store, dialect: str, items: list[Call | Outcome]) -> None:
    store.insert_spans(rows(items, dialect))


def run(
    store: Store, name: str, window: TimeWindow = ALL_TIME, filters: Filters | None = None, **options: Any
) -> list[dict[str, Any]]:
    """The rows of dashboards/<name>.sql, with `options` for its declared parameters."""
    return run_query(store, name, window, filters, options)


def rows(items: list[Call | Outcome], dialect: str) -> list[SpanRow]:
    return [_row(item, dialect) for item in items]


def _row(item: Call | Outcome, dialect: str) -> SpanRow:
    if isinstance(item, Call):
        attributes = _call_attributes(item, dialect)
        name, kind, duration = f"chat {item.model}", "Client", 2_000_000_000
        status = ("Error" if dialect == "agentcost" else "STATUS_CODE_ERROR") if item.error else "Unset"
    else:
        attributes = _outcome_attributes(item, dialect)
        name, kind, duration, status = "agentcost.outcome", "Internal", 0, "Unset"
    service = item.service if isinstance(item, Call) else "agents"
    return _span(item.at, attributes, name, kind, duration, status, service)


def _session(session: str, dialect: str) -> dict[str, str]:
    if not session:
        return {}
    return {"agentcost.session.id" if dialect == "agentcost" else "gen_ai.conversation.id": session}


def _call_attributes(call: Call, dialect: str) -> dict[str, str]:
    own = {
        "agentcost.task.id": call.task,
        "agentcost.task.kind": call.task_kind,
        "agentcost.trigger": call.trigger,
        "agentcost.lane": call.lane,
        "agentcost.agent.role": call.role,
        "gen_ai.agent.name": call.agent,
        "agentcost.context.inherited_tokens": str(call.inherited_tokens) if call.inherited_tokens else "",
        "agentcost.context.foreign_tokens": str(call.foreign_tokens) if call.foreign_tokens else "",
        "error.type": "RateLimitError" if call.error and dialect == "agentcost" else "",
    }
    if dialect == "agentcost":
        usage = {
            "gen_ai.provider.name": call.provider,
            "gen_ai.usage.input_tokens": str(call.input_tokens),
            "gen_ai.usage.output_tokens": str(call.output_tokens),
            "agentcost.cost.usd": repr(price(call.model, call.input_tokens, call.output_tokens) * 3),
            "agentcost.cost.source": "price_table",  # recomputed by the views: the factor 3 must not show
        }
    else:
        usage = {
            "gen_ai.system": call.provider,
            "gen_ai.usage.prompt_tokens": str(call.input_tokens),
            "gen_ai.usage.completion_tokens": str(call.output_tokens),
        }
    return {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": call.model,
        **usage,
        **_session(call.session, dialect),
        **{key: value for key, value in own.items() if value},
    }


def _outcome_attributes(outcome: Outcome, dialect: str) -> dict[str, str]:
    attributes = {**_session(outcome.session, dialect), "agentcost.outcome": outcome.outcome}
    if outcome.task:
        attributes["agentcost.task.id"] = outcome.task
    if outcome.grade is not None:
        attributes["agentcost.grade"] = repr(outcome.grade)
    if outcome.reason:
        attributes["agentcost.outcome.reason"] = outcome.reason
    return attributes


def _span(
    at: datetime, attributes: dict[str, str], name: str, kind: str, duration: int, status: str, service: str
) -> SpanRow:
    number = next(_ids)
    return collector_row(
        timestamp_ns=int(at.timestamp()) * 1_000_000_000 + at.microsecond * 1_000,
        trace_id=format(number, "032x"),
        span_id=format(number, "016x"),
        span_name=name,
        span_kind=kind,
        service_name=service,
        scope_name="otel_agentcost.instrumentation",
        scope_version="0.1.0",
        span_attributes=attributes,
        duration_ns=duration,
        status_code=status,
    )


def collector_row(*, service_name: str, **fields: Any) -> SpanRow:
    """A root span without events, links or trace state, as the collector writes it for `service_name`."""
    return SpanRow(
        parent_span_id="",
        trace_state="",
        service_name=service_name,
        resource_attributes={"service.name": service_name},
        status_message="",
        events_timestamp_ns=[],
        events_name=[],
        events_attributes=[],
        links_trace_id=[],
        links_span_id=[],
        links_trace_state=[],
        links_attributes=[],
        **fields,
    )


def every(start: datetime, interval: timedelta, count: int) -> list[datetime]:
    """`count` times from `start`, `interval` apart."""
    return [start + interval * n for n in range(count)]
