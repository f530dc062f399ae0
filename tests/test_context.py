"""The context layer: scopes nest, follow asyncio tasks and copied contexts, and never cross sessions."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest
from opentelemetry import trace

import otel_agentcost as agentcost
from otel_agentcost.context import current_attributes
from tests.tracing import instrumented_exporter  # noqa: F401 (a fixture)


@pytest.fixture
def spans_and_provider(instrumented_exporter):  # noqa: F811 (the imported fixture, under this file's name)
    return instrumented_exporter


def test_scopes_nest_and_unwind():
    with agentcost.session("s-1", agent="pm-1", role="pm"):
        with agentcost.task("T-1", kind="triage"), agentcost.heartbeat():
            inner = dict(current_attributes())
        after_task = dict(current_attributes())
    assert inner["agentcost.session.id"] == "s-1"
    assert inner["agentcost.task.id"] == "T-1"
    assert inner["agentcost.trigger"] == "heartbeat"
    assert "agentcost.task.id" not in after_task and after_task["agentcost.session.id"] == "s-1"
    assert dict(current_attributes()) == {}


def test_inner_lane_overrides_the_session_lane():
    with agentcost.session("s-1", lane="pm-heavy"), agentcost.task("T-1", lane="pm-trivial"):
        assert current_attributes()["agentcost.lane"] == "pm-trivial"


def test_decorators_enter_a_fresh_scope_per_call_sync_and_async():
    @agentcost.session("s-dec", role="coder")
    def sync_work():
        return dict(current_attributes())

    @agentcost.task("T-dec")
    async def async_work():
        await asyncio.sleep(0)
        return dict(current_attributes())

    assert sync_work()["agentcost.agent.role"] == "coder"
    assert sync_work()["agentcost.session.id"] == "s-dec"
    assert asyncio.run(async_work())["agentcost.task.id"] == "T-dec"
    assert dict(current_attributes()) == {}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: agentcost.session(""), "session_id must be a non-empty string"),
        (lambda: agentcost.task(None), "task_id must be a non-empty string"),
        (lambda: agentcost.trigger("cron"), "trigger must be one of"),
        (lambda: agentcost.session("s", trigger="idle"), "trigger must be one of"),
        (lambda: agentcost.record_outcome(task_id="T", outcome="done"), "outcome must be one of"),
        (lambda: agentcost.record_outcome(task_id="T", outcome="success", grade=1.5), "grade must be a number in"),
        (lambda: agentcost.record_outcome(outcome="success"), "needs a task_id or a session_id"),
    ],
)
def test_bad_input_gets_a_clear_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_fifteen_parallel_asyncio_sessions_keep_their_own_ids():
    seen: dict[str, set[str]] = {}

    async def agent(n: int):
        sid = f"s-{n}"
        async with agentcost.session(sid):
            for step in range(20):
                await asyncio.sleep(0.001 * ((n + step) % 3))
                seen.setdefault(sid, set()).add(current_attributes()["agentcost.session.id"])

    async def fleet():
        await asyncio.gather(*(agent(n) for n in range(15)))

    asyncio.run(fleet())
    assert seen == {f"s-{n}": {f"s-{n}"} for n in range(15)}


def test_threads_that_copy_the_context_inherit_the_scope_and_others_do_not():
    results: dict[str, object] = {}
    with agentcost.session("s-parent"):
        copied = contextvars.copy_context()
    copy_thread = threading.Thread(target=lambda: results.update(copied=copied.run(lambda: dict(current_attributes()))))
    plain_thread = threading.Thread(target=lambda: results.update(plain=dict(current_attributes())))
    copy_thread.start(), plain_thread.start()
    copy_thread.join(), plain_thread.join()
    assert results["copied"]["agentcost.session.id"] == "s-parent"
    assert results["plain"] == {}


def test_task_span_wraps_its_calls_and_an_exception_records_failed(spans_and_provider):
    exporter = spans_and_provider
    tracer = trace.get_tracer("some.framework")
    with pytest.raises(KeyError), agentcost.session("s-1"), agentcost.task("T-9", kind="build"):
        with tracer.start_as_current_span("framework step"):
            pass
        raise KeyError("missing file")

    by_name = {s.name: s for s in exporter.get_finished_spans()}
    task_span, step = by_name["task build"], by_name["framework step"]
    assert step.parent.span_id == task_span.context.span_id
    assert step.attributes["agentcost.task.id"] == "T-9"
    assert task_span.attributes["agentcost.outcome"] == "failed"
    assert task_span.attributes["agentcost.outcome.reason"] == "KeyError"


def test_outcome_inside_the_task_lands_on_its_span_and_later_ones_are_outcome_spans(spans_and_provider):
    exporter = spans_and_provider
    with agentcost.session("s-1"), agentcost.task("T-3") as task:
        task.outcome("blocked", grade=0.4, reason="claim denied")
    task.outcome("success", grade=0.9)
    agentcost.record_outcome(task_id="T-3", outcome="noop", reason="regraded")

    by_name = {}
    for span in exporter.get_finished_spans():
        by_name.setdefault(span.name, []).append(span)
    assert by_name["task"][0].attributes["agentcost.outcome"] == "blocked"
    assert by_name["task"][0].attributes["agentcost.grade"] == 0.4
    outcomes = [
        (s.attributes["agentcost.task.id"], s.attributes["agentcost.outcome"]) for s in by_name["agentcost.outcome"]
    ]
    assert outcomes == [("T-3", "success"), ("T-3", "noop")]
