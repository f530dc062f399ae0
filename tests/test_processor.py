"""The attribution processor: any library's spans in scope carry session and task; baggage and environment
variables supply them without code."""

from __future__ import annotations

import pytest
from opentelemetry import baggage, trace
from opentelemetry import context as otel_context

import otel_agentcost as agentcost
from otel_agentcost import AgentCostInstrumentor
from otel_agentcost.processor import AgentCostSpanProcessor, Attribution
from tests.tracing import instrumented_exporter  # noqa: F401 (a fixture)


@pytest.fixture
def exporter(instrumented_exporter):  # noqa: F811 (the imported fixture, under this file's name)
    return instrumented_exporter


def finished(exporter, name):
    return next(s for s in exporter.get_finished_spans() if s.name == name)


def test_spans_of_other_libraries_are_stamped_in_scope(exporter):
    tracer = trace.get_tracer("agent.framework")
    with agentcost.session("s-7", agent="pm-2", role="pm"), agentcost.trigger("schedule"):
        tracer.start_span("plan").end()
    tracer.start_span("outside").end()

    plan = finished(exporter, "plan").attributes
    assert plan["agentcost.session.id"] == plan["gen_ai.conversation.id"] == "s-7"
    assert (plan["agentcost.trigger"], plan["agentcost.agent.role"]) == ("schedule", "pm")
    assert "agentcost.session.id" not in finished(exporter, "outside").attributes


def test_a_conversation_id_the_library_set_is_kept(exporter):
    tracer = trace.get_tracer("anthropic.like")
    with agentcost.session("s-ours"):
        tracer.start_span("call", attributes={"gen_ai.conversation.id": "thread-9"}).end()

    attributes = finished(exporter, "call").attributes
    assert attributes["gen_ai.conversation.id"] == "thread-9"
    assert attributes["agentcost.session.id"] == "s-ours"


def test_baggage_supplies_context_and_code_scopes_win_over_it(exporter):
    tracer = trace.get_tracer("svc")
    ctx = baggage.set_baggage("agentcost.session.id", "s-upstream")
    ctx = baggage.set_baggage("agentcost.trigger", "reactive", ctx)
    token = otel_context.attach(ctx)
    try:
        tracer.start_span("from baggage").end()
        with agentcost.session("s-code"):
            tracer.start_span("from code").end()
    finally:
        otel_context.detach(token)

    assert finished(exporter, "from baggage").attributes["agentcost.session.id"] == "s-upstream"
    assert finished(exporter, "from baggage").attributes["agentcost.trigger"] == "reactive"
    assert finished(exporter, "from code").attributes["agentcost.session.id"] == "s-code"
    assert finished(exporter, "from code").attributes["agentcost.trigger"] == "reactive"


def test_environment_variables_are_the_last_resort():
    attribution = Attribution(
        {"AGENTCOST_SESSION_ID": "s-env", "AGENTCOST_TRIGGER": "heartbeat", "AGENTCOST_ROLE": "pm", "OTHER": "x"}
    )
    assert dict(attribution.attributes()) == {
        "agentcost.session.id": "s-env",
        "gen_ai.conversation.id": "s-env",
        "agentcost.trigger": "heartbeat",
        "agentcost.agent.role": "pm",
    }
    with agentcost.session("s-code"):
        assert attribution.attributes()["agentcost.session.id"] == "s-code"
        assert attribution.attributes()["agentcost.trigger"] == "heartbeat"


def test_a_failing_processor_never_breaks_span_creation(exporter):
    class Broken(Attribution):
        def attributes(self, parent_context=None):
            raise RuntimeError("bug")

    processor = AgentCostSpanProcessor(Broken({}))
    span = trace.get_tracer("x").start_span("survives")
    processor.on_start(span)
    span.end()
    assert finished(exporter, "survives").end_time is not None


def test_uninstrument_disables_stamping(exporter):
    AgentCostInstrumentor().uninstrument()
    with agentcost.session("s-off"):
        trace.get_tracer("x").start_span("after").end()
    AgentCostInstrumentor().instrument()
    assert "agentcost.session.id" not in finished(exporter, "after").attributes
