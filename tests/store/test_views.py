"""The views the dashboards read, on rows in the collector's conventions as this project and other instrumentations
(the Anthropic SDK's own tracing, OpenLLMetry, OpenLIT) write them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from otel_agentcost.pricing import PriceTable
from otel_agentcost.store.columns import SpanRow
from otel_agentcost.store.schema import init_schema
from tests.report_data import collector_row

BASE = datetime(2026, 3, 1, tzinfo=timezone.utc)
PRICES = """model,input_per_mtok,output_per_mtok,cache_read_per_mtok,cache_write_per_mtok
acme-large,3.00,15.00,0.30,3.75
acme-small,1.00,2.00,,
"""


def ns(at: datetime) -> int:
    return int(at.timestamp()) * 1_000_000_000 + at.microsecond * 1_000


def span(
    span_id: str,
    attributes: dict[str, str],
    *,
    trace: int = 1,
    at: datetime = BASE,
    duration_ns: int = 2_000_000_000,
    status: str = "Unset",
    scope: str = "otel_agentcost",
) -> SpanRow:
    """A row as the collector writes it (ids in hex; `span_id` is made of hex digits too)."""
    return collector_row(
        timestamp_ns=ns(at),
        trace_id=format(trace, "032x"),
        span_id=span_id.rjust(16, "0"),
        span_name=f"{attributes.get('gen_ai.operation.name', 'chat')} {attributes.get('gen_ai.request.model', '')}",
        span_kind="Client",
        service_name="agents",
        scope_name=scope,
        scope_version="1.0",
        span_attributes=attributes,
        duration_ns=duration_ns,
        status_code=status,
    )


def llm(model: str, input_tokens: int, output_tokens: int, **extra: str) -> dict[str, str]:
    return {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "acme",
        "gen_ai.request.model": model,
        "gen_ai.usage.input_tokens": str(input_tokens),
        "gen_ai.usage.output_tokens": str(output_tokens),
        **extra,
    }


def cost(source: str, usd: str) -> dict[str, str]:
    return {"agentcost.cost.usd": usd, "agentcost.cost.source": source}


CACHED = {"gen_ai.usage.cache_read.input_tokens": "300", "gen_ai.usage.cache_creation.input_tokens": "100"}
CALLS = [
    span("a1", llm("acme-large", 1000, 200, **CACHED, **cost("price_table", "99"))),
    span("a2", llm("acme-large", 1000, 200, **cost("provider", "0.5"))),
    span("a3", llm("acme-large", 1000, 200, **{"agentcost.cost.usd": "0.25"})),
    span("a4", llm("acme-large", 1000, 200, **cost("user", "0.125"))),
    span(
        "a5",
        llm(
            "acme-small",
            500,
            50,
            **{"gen_ai.response.model": "openai/acme-small-2025-01-31"},
            **{"gen_ai.usage.cache_read.input_tokens": "100", **cost("price_table", "7")},
        ),
    ),
    span("a6", llm("ACME-Small-20250131", 10, 0, **cost("price_table", "7"))),
    span("a7", llm("mystery-1", 10, 10, **cost("price_table", "0.042"))),
    span("a8", llm("mystery-2", 10, 10, **cost("unpriced", "0"))),
    # OpenLLMetry / OpenLIT style: gen_ai.system, prompt/completion tokens, session.id, no cost at all.
    span(
        "b1",
        {
            "gen_ai.system": "anthropic",
            "gen_ai.request.model": "acme-small",
            "gen_ai.usage.prompt_tokens": "120",
            "gen_ai.usage.completion_tokens": "30",
            "session.id": "s-openllmetry",
        },
        scope="opentelemetry.instrumentation.anthropic",
    ),
    span("b2", {"gen_ai.request.model": "mystery-3", "gen_ai.usage.input_tokens": "5"}),
    # The Anthropic SDK's own naming: cache writes under cache_write, the session as the conversation id.
    span(
        "b3",
        llm(
            "acme-large",
            400,
            40,
            **{"gen_ai.usage.cache_write.input_tokens": "400", "gen_ai.conversation.id": "s-conversation"},
        ),
        scope="com.anthropic.sdk.python",
    ),
    span("b4", llm("acme-small", 1, 1, **{"error.type": "RateLimitError"})),
    span("b5", llm("acme-small", 1, 1), status="STATUS_CODE_ERROR"),
    span("b6", llm("acme-small", 1, 1, **{"agentcost.usage.estimated": "true"}), status="Error"),
    # Not LLM calls: agent and tool operations (even with tokens), and spans without token counts.
    span("c1", llm("acme-large", 9000, 900, **{"gen_ai.operation.name": "invoke_agent"})),
    span("c2", {"gen_ai.operation.name": "execute_tool", "gen_ai.usage.input_tokens": "3"}),
    span("c3", {"agentcost.task.id": "T-x", "gen_ai.request.model": "acme-large"}),
]
# One call seen twice in trace 7 (the SDK's span and ours, which carries agentcost.*), the same response id in
# another trace (a different call), and one span stored twice (a retried export).
SEEN_TWICE = [
    span(
        "d1", llm("acme-small", 100, 10, **{"gen_ai.response.id": "resp-1"}), trace=7, scope="com.anthropic.sdk.python"
    ),
    span(
        "d2", llm("acme-small", 100, 10, **{"gen_ai.response.id": "resp-1", "agentcost.session.id": "s-dup"}), trace=7
    ),
    span("d3", llm("acme-small", 100, 10, **{"gen_ai.response.id": "resp-1"}), trace=8),
    span("d4", llm("acme-small", 100, 10), trace=9),
    span("d4", llm("acme-small", 100, 10), trace=9),
]


def unit_call(span_id: str, at: datetime, model: str = "acme-small", **attributes: str) -> SpanRow:
    return span(span_id, llm(model, 1000, 100, **cost("provider", "0.01"), **attributes), trace=20, at=at)


def outcome(span_id: str, at: datetime, **attributes: str) -> SpanRow:
    return span(span_id, attributes, trace=21, at=at, duration_ns=0)


TASK = {"agentcost.session.id": "s-work", "agentcost.task.id": "T-1", "agentcost.task.kind": "triage"}
WORK = [
    unit_call("e1", BASE, **TASK, **{"agentcost.agent.role": "pm", "agentcost.lane": "pm-trivial"}),
    unit_call("e2", BASE + timedelta(minutes=1), **TASK, **{"gen_ai.agent.name": "pm-1"}),
    unit_call(
        "e3", BASE + timedelta(minutes=2), model="acme-large", **TASK, **{"agentcost.context.inherited_tokens": "400"}
    ),
    unit_call(
        "e4", BASE + timedelta(minutes=30), **{"agentcost.session.id": "s-work", "agentcost.trigger": "heartbeat"}
    ),
    unit_call("e5", BASE + timedelta(minutes=31), **{"agentcost.session.id": "s-work", "agentcost.trigger": "user"}),
    unit_call("e6", BASE + timedelta(minutes=5), **{"agentcost.session.id": "s-work", "agentcost.task.id": "T-2"}),
    unit_call("e7", BASE - timedelta(days=60), **{"agentcost.session.id": "s-old", "agentcost.task.id": "T-old"}),
    unit_call("e8", BASE - timedelta(days=30, hours=1), **{"agentcost.task.id": "T-edge"}),
    unit_call("e9", BASE - timedelta(days=29), **{"agentcost.task.id": "T-edge"}),
    outcome(
        "f1",
        BASE + timedelta(minutes=3),
        **TASK,
        **{"agentcost.outcome": "blocked", "agentcost.grade": "0.4", "agentcost.outcome.reason": "claim denied"},
    ),
    outcome(
        "f2",
        BASE + timedelta(hours=5),
        **{"agentcost.task.id": "T-1", "agentcost.outcome": "success", "agentcost.grade": "0.9"},
    ),
    outcome("f3", BASE + timedelta(minutes=32), **{"agentcost.session.id": "s-work", "agentcost.outcome": "noop"}),
]


@pytest.fixture(scope="module")
def views(store, tmp_path_factory):
    prices = tmp_path_factory.mktemp("prices") / "prices.csv"
    prices.write_text(PRICES)
    table = PriceTable.load(prices)
    init_schema(store, prices=table)
    store.insert_spans(CALLS + SEEN_TWICE + WORK)
    return table


def calls(store, where: str = "1", parameters: dict | None = None) -> dict[str, dict]:
    rows = store.query(f"SELECT * FROM agentcost_llm_calls WHERE {where}", parameters)
    return {row["SpanId"].lstrip("0"): row for row in rows}


def test_llm_calls_are_spans_with_token_counts_except_agent_and_tool_operations(store, views):
    found = calls(store)
    assert "c1" not in found and "c2" not in found and "c3" not in found
    assert {"a1", "b1", "b2", "b3"} <= set(found)


def test_columns_are_typed(store, views):
    call = calls(store)["a1"]
    assert call["start_time"] == BASE
    assert call["end_time"] == BASE + timedelta(seconds=2)
    assert (call["input_tokens"], call["output_tokens"]) == (1000, 200)
    assert (call["cache_read_tokens"], call["cache_write_tokens"]) == (300, 100)
    assert (call["provider"], call["operation"], call["model"]) == ("acme", "chat", "acme-large")
    assert call["usage_estimated"] is False and call["is_error"] is False and call["priced"] is True


def test_a_price_table_cost_is_recomputed_from_agentcost_prices_like_price_table_cost(store, views):
    call = calls(store)["a1"]
    expected = views.cost(
        "acme-large", input_tokens=1000, output_tokens=200, cache_read_tokens=300, cache_write_tokens=100
    )
    assert expected == pytest.approx(0.005265)
    assert (call["cost_usd"], call["cost_source"]) == (pytest.approx(expected, rel=1e-12), "agentcost_prices")


@pytest.mark.parametrize(("span_id", "usd"), [("a2", 0.5), ("a3", 0.25), ("a4", 0.125)])
def test_a_provider_user_or_sourceless_cost_is_kept(store, views, span_id, usd):
    call = calls(store)[span_id]
    assert (call["cost_usd"], call["cost_source"], call["priced"]) == (usd, "span", True)


def test_a_model_matches_its_price_after_removing_a_vendor_prefix_and_a_date_suffix(store, views):
    found = calls(store)
    assert found["a5"]["model"] == "openai/acme-small-2025-01-31"
    # acme-small has no cache prices: cached input costs the input price.
    expected = views.cost("acme-small", input_tokens=500, output_tokens=50, cache_read_tokens=100)
    assert found["a5"]["cost_usd"] == pytest.approx(expected, rel=1e-12)
    assert found["a6"]["cost_usd"] == pytest.approx(views.cost("acme-small", input_tokens=10, output_tokens=0))


def test_an_unknown_model_keeps_the_instrumentations_price_or_costs_nothing_unpriced(store, views):
    found = calls(store)
    assert (found["a7"]["cost_usd"], found["a7"]["priced"], found["a7"]["cost_source"]) == (0.042, True, "span")
    assert (found["a8"]["cost_usd"], found["a8"]["priced"], found["a8"]["cost_source"]) == (0.0, False, "unpriced")
    assert (found["b2"]["cost_usd"], found["b2"]["priced"]) == (0.0, False)


def test_other_instrumentations_attribute_names_are_read(store, views):
    found = calls(store)
    openllmetry = found["b1"]
    assert (openllmetry["provider"], openllmetry["session_id"]) == ("anthropic", "s-openllmetry")
    assert (openllmetry["input_tokens"], openllmetry["output_tokens"]) == (120, 30)
    assert openllmetry["cost_usd"] == pytest.approx(views.cost("acme-small", input_tokens=120, output_tokens=30))
    anthropic_sdk = found["b3"]
    assert (anthropic_sdk["session_id"], anthropic_sdk["cache_write_tokens"]) == ("s-conversation", 400)
    assert anthropic_sdk["cost_usd"] == pytest.approx(
        views.cost("acme-large", input_tokens=400, output_tokens=40, cache_write_tokens=400)
    )


def test_errors_and_estimated_usage_are_flagged(store, views):
    found = calls(store)
    assert [found[s]["is_error"] for s in ("b4", "b5", "b6", "a1")] == [True, True, True, False]
    assert found["b6"]["usage_estimated"] is True


def test_a_call_seen_by_two_instrumentations_counts_once_as_the_agentcost_span(store, views):
    found = calls(store, "startsWith(TraceId, '0000') AND response_id = {id:String}", {"id": "resp-1"})
    assert sorted(found) == ["d2", "d3"]
    assert found["d2"]["session_id"] == "s-dup"


def test_a_span_stored_twice_counts_once(store, views):
    assert (
        len(store.query("SELECT * FROM agentcost_llm_calls WHERE SpanId = {id:String}", {"id": "d4".rjust(16, "0")}))
        == 1
    )


def test_the_latest_outcome_of_a_unit_wins_whole(store, views):
    rows = store.query("SELECT * FROM agentcost_outcomes ORDER BY unit_kind, unit_id")
    by_unit = {(row["unit_kind"], row["unit_id"]): row for row in rows}
    task = by_unit[("task", "T-1")]
    assert (task["outcome"], task["grade"], task["reason"], task["session_id"]) == ("success", 0.9, "", "")
    assert task["at"] == BASE + timedelta(hours=5)
    session = by_unit[("session", "s-work")]
    assert (session["outcome"], session["grade"], session["task_id"]) == ("noop", None, "")


WINDOW = {"from": BASE - timedelta(days=30), "to": BASE + timedelta(days=1)}
UNITS_SQL = (
    "SELECT * FROM agentcost_work_units(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')}) "
    "ORDER BY unit_kind, unit_id"
)


def units(store) -> dict[tuple[str, str], dict]:
    return {(row["unit_kind"], row["unit_id"]): row for row in store.query(UNITS_SQL, WINDOW)}


def test_a_task_is_a_work_unit_with_its_totals_and_the_outcome_a_grader_reported_by_task_id(store, views):
    task = units(store)[("task", "T-1")]
    assert (task["session_id"], task["task_id"], task["task_kind"]) == ("s-work", "T-1", "triage")
    assert task["service"] == "agents"
    assert (task["role"], task["lane"], task["agent"], task["model"]) == ("pm", "pm-trivial", "pm-1", "acme-small")
    assert (task["calls"], task["input_tokens"], task["output_tokens"], task["inherited_tokens"]) == (3, 3000, 300, 400)
    assert task["cost_usd"] == pytest.approx(0.03)
    assert (task["first_call_at"], task["last_call_at"]) == (BASE, BASE + timedelta(minutes=2))
    assert (task["outcome"], task["grade"], task["outcome_at"]) == ("success", 0.9, BASE + timedelta(hours=5))


def test_calls_without_a_task_make_a_session_unit_with_its_heartbeats(store, views):
    session = units(store)[("session", "s-work")]
    assert (session["calls"], session["heartbeat_calls"], session["task_id"]) == (2, 1, "")
    assert (session["outcome"], session["grade"]) == ("noop", None)


def test_a_unit_without_an_outcome_has_nulls(store, views):
    task = units(store)[("task", "T-2")]
    assert (task["outcome"], task["grade"], task["reason"], task["outcome_at"]) == (None, None, None, None)


def test_the_window_keeps_units_active_in_it_with_all_their_calls(store, views):
    found = units(store)
    assert ("task", "T-old") not in found
    assert found[("task", "T-edge")]["calls"] == 2
    everything = store.query(UNITS_SQL, {"from": datetime(1970, 1, 1), "to": datetime(2200, 1, 1)})
    assert ("task", "T-old") in {(row["unit_kind"], row["unit_id"]) for row in everything}


def test_calls_with_neither_task_nor_session_are_in_no_unit(store, views):
    assert ("session", "") not in units(store)


def test_llm_calls_in_keeps_the_calls_that_started_in_the_window_each_counted_once(store, views):
    rows = store.query(
        "SELECT SpanId, start_time FROM agentcost_llm_calls_in(from = {from:DateTime64(9, 'UTC')}, "
        "to = {to:DateTime64(9, 'UTC')})",
        {"from": BASE + timedelta(minutes=1), "to": BASE + timedelta(minutes=30)},
    )
    assert sorted(row["SpanId"].lstrip("0") for row in rows) == ["e2", "e3", "e6"]  # not e1 (at from - 1m), not e4
    at_base = store.query(
        "SELECT SpanId FROM agentcost_llm_calls_in(from = {from:DateTime64(9, 'UTC')}, to = {to:DateTime64(9, 'UTC')})"
        " WHERE startsWith(TraceId, '0000') AND (response_id = 'resp-1' OR SpanId = {d4:String})",
        {"from": BASE, "to": BASE + timedelta(seconds=1), "d4": "d4".rjust(16, "0")},
    )
    assert sorted(row["SpanId"].lstrip("0") for row in at_base) == ["d2", "d3", "d4"]
