"""dashboards/context_foreign.sql: per session, the input tokens that came from other sessions, and their cost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from report_data import BASE, INPUT, Call, insert, price, run

from otel_agentcost.reports import Filters, TimeWindow
from otel_agentcost.store.errors import QueryError

WINDOW = TimeWindow(BASE, BASE + timedelta(days=1))
HOUR = timedelta(hours=1)
# email triage bleeding into code generation over a shared connection; one legal case into another
CODE = [
    Call(BASE, session="s-code", task="C-1", agent="coder-1", input_tokens=20_000, output_tokens=1000),
    Call(BASE + HOUR, session="s-code", task="C-1", input_tokens=30_000, output_tokens=500, foreign_tokens=12_000),
    Call(BASE + 2 * HOUR, session="s-code", input_tokens=35_000, output_tokens=800, foreign_tokens=12_000),
]
LEGAL = [
    Call(
        BASE + HOUR,
        session="s-case-b",
        model="acme-small",
        role="paralegal",
        input_tokens=50_000,
        output_tokens=2000,
        foreign_tokens=30_000,
    )
]
CLEAN = [Call(BASE + HOUR, session="s-mail", input_tokens=12_000, inherited_tokens=4000)]
OUTSIDE = [
    Call(BASE - HOUR, session="s-code", foreign_tokens=900),
    Call(BASE + 25 * HOUR, session="s-mail", foreign_tokens=900),
]


@pytest.fixture(scope="module")
def fleet(store, dialect):
    insert(store, dialect, CODE + LEGAL + CLEAN + OUTSIDE)
    return store


def test_sessions_with_foreign_tokens_costliest_bleed_first(fleet):
    rows = run(fleet, "context_foreign", WINDOW)
    assert [(r["session_id"], r["calls"], r["foreign_calls"], r["foreign_tokens"]) for r in rows] == [
        ("s-code", 3, 2, 24_000),
        ("s-case-b", 1, 1, 30_000),
    ]
    code, legal = rows
    assert (code["input_tokens"], code["agent"]) == (85_000, "coder-1")
    assert (legal["role"], legal["service"]) == ("paralegal", "agents")
    assert code["foreign_share"] == pytest.approx(24_000 / 85_000)
    # at the test prices an output token costs 5 input tokens, as the default ratio says: exact input price
    assert code["foreign_cost_usd"] == pytest.approx(24_000 * INPUT["acme-large"])
    assert legal["foreign_cost_usd"] == pytest.approx(30_000 * INPUT["acme-small"])
    assert code["cost_usd"] == pytest.approx(sum(price(c.model, c.input_tokens, c.output_tokens) for c in CODE))


def test_the_cost_rule_weighs_an_output_token_as_the_ratio_says(fleet):
    [legal] = run(fleet, "context_foreign", WINDOW, Filters(model="acme-small"), output_price_ratio=0)
    assert legal["foreign_cost_usd"] == pytest.approx(price("acme-small", 50_000, 2000) * 30_000 / 50_000)


def test_filters_keep_the_calls_of_one_agent_or_service(fleet):
    assert [r["session_id"] for r in run(fleet, "context_foreign", WINDOW, Filters(agent="paralegal"))] == ["s-case-b"]
    assert run(fleet, "context_foreign", WINDOW, Filters(service="elsewhere")) == []


def test_a_negative_price_ratio_is_refused_by_name(fleet):
    with pytest.raises(QueryError, match="output_price_ratio must be 0 or more"):
        run(fleet, "context_foreign", WINDOW, output_price_ratio=-5)
