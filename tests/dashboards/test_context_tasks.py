"""dashboards/context_tasks.sql: per task, the input tokens inherited from earlier tasks and other sessions, and their
cost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from report_data import BASE, INPUT, Call, insert, price, run

from otel_agentcost.reports import Filters, TimeWindow
from otel_agentcost.store.errors import QueryError

WINDOW = TimeWindow(BASE, BASE + timedelta(days=1))
PROMPTS = [4000, 2500, 6000, 1500, 3000]  # each task's own prompt
REPLY = 300  # output tokens of every call, which join the conversation
CALLS_PER_TASK = 3


def five_sequential_tasks() -> tuple[list[Call], list[int]]:
    """One session doing five tasks in a row: every call sends the whole conversation so far, and carries as
    inherited tokens the part that earlier tasks put there (as the instrumentation sets it). Also returns the
    history each task starts with."""
    calls, starts, history, at = [], [], 0, BASE
    for number, prompt in enumerate(PROMPTS, 1):
        starts.append(history)
        own = prompt
        for _ in range(CALLS_PER_TASK):
            calls.append(
                Call(at, session="s-day", task=f"T-{number}", task_kind="code", role="coder", agent="c-1",
                     input_tokens=history + own, output_tokens=REPLY, inherited_tokens=history)
            )  # fmt: skip
            own += REPLY
            at += timedelta(minutes=5)
        history += own
    return calls, starts


SEQUENTIAL, STARTS = five_sequential_tasks()
# a task of another session whose calls carry another session's messages
BLED = [
    Call(BASE + timedelta(hours=3), session="s-mail", task="M-1", model="acme-small", input_tokens=10_000,
         output_tokens=200, inherited_tokens=1000, foreign_tokens=4000),
    Call(BASE + timedelta(hours=4), session="s-mail", task="M-1", model="acme-small", input_tokens=12_000,
         output_tokens=400, foreign_tokens=6000),
]  # fmt: skip
OTHERS = [
    Call(BASE + timedelta(hours=5), session="s-mail"),  # no task: no row
    Call(BASE + timedelta(days=2), session="s-day", task="T-9", inherited_tokens=500),  # outside the window
]


@pytest.fixture(scope="module")
def fleet(store, dialect):
    insert(store, dialect, SEQUENTIAL + BLED + OTHERS)
    return store


@pytest.fixture(scope="module")
def tasks(fleet):
    return {row["task_id"]: row for row in run(fleet, "context_tasks", WINDOW)}


def test_five_sequential_tasks_each_inherit_what_the_earlier_ones_left_in_the_conversation(tasks):
    for number, start in enumerate(STARTS, 1):
        task = tasks[f"T-{number}"]
        inputs = [call.input_tokens for call in SEQUENTIAL if call.task == f"T-{number}"]
        assert (task["session_id"], task["calls"], task["task_kind"], task["role"]) == ("s-day", 3, "code", "coder")
        assert task["input_tokens"] == sum(inputs)
        assert task["inherited_tokens"] == CALLS_PER_TASK * start
        assert task["inherited_share"] == pytest.approx(CALLS_PER_TASK * start / sum(inputs))
        # an output token costs 5 input tokens at the test prices, as the default ratio says: exact input price
        assert task["inherited_cost_usd"] == pytest.approx(CALLS_PER_TASK * start * INPUT["acme-large"])
        assert task["cost_usd"] == pytest.approx(sum(price("acme-large", tokens, REPLY) for tokens in inputs))
        assert (task["foreign_tokens"], task["foreign_cost_usd"]) == (0, 0)
    assert STARTS[0] == 0 and tasks["T-1"]["inherited_share"] == 0
    assert STARTS[4] == sum(PROMPTS[:4]) + 4 * CALLS_PER_TASK * REPLY


def test_foreign_tokens_are_counted_and_costed_beside_inherited_ones(tasks):
    mail = tasks["M-1"]
    assert (mail["session_id"], mail["calls"], mail["input_tokens"]) == ("s-mail", 2, 22_000)
    assert (mail["inherited_tokens"], mail["foreign_tokens"]) == (1000, 10_000)
    assert mail["foreign_share"] == pytest.approx(10_000 / 22_000)
    assert mail["foreign_cost_usd"] == pytest.approx(10_000 * INPUT["acme-small"])
    assert mail["inherited_cost_usd"] == pytest.approx(1000 * INPUT["acme-small"])


def test_the_cost_rule_weighs_an_output_token_as_the_ratio_says(fleet):
    even = {row["task_id"]: row for row in run(fleet, "context_tasks", WINDOW, output_price_ratio=1)}
    spread = sum(
        price(call.model, call.input_tokens, call.output_tokens)
        * (call.inherited_tokens + call.foreign_tokens)
        / (call.input_tokens + call.output_tokens)
        for call in BLED
    )
    assert even["M-1"]["inherited_cost_usd"] + even["M-1"]["foreign_cost_usd"] == pytest.approx(spread)


def test_one_row_per_task_in_the_window_costliest_inheritance_first(fleet):
    rows = run(fleet, "context_tasks", WINDOW)
    assert [row["task_id"] for row in rows] == ["T-5", "T-4", "T-3", "T-2", "M-1", "T-1"]
    assert rows[0]["first_call_at"] == BASE + timedelta(minutes=5 * 12)


def test_filters_keep_the_calls_of_one_agent_or_model(fleet):
    assert [row["task_id"] for row in run(fleet, "context_tasks", WINDOW, Filters(model="acme-small"))] == ["M-1"]
    assert len(run(fleet, "context_tasks", WINDOW, Filters(agent="coder"))) == 5


def test_a_negative_price_ratio_is_refused_by_name(fleet):
    with pytest.raises(QueryError, match="output_price_ratio must be 0 or more"):
        run(fleet, "context_tasks", WINDOW, output_price_ratio=-1)
