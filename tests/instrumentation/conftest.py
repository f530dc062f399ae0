from __future__ import annotations

import gc

import anthropic
import openai
import pytest

from otel_agentcost import AgentCostInstrumentor
from otel_agentcost.standin import StandinLLM
from tests.tracing import global_provider


@pytest.fixture(scope="session")
def provider():
    tracer_provider, _ = global_provider()
    return tracer_provider


@pytest.fixture
def spans(provider):
    """The exporter, emptied; instrumentation on for the test and off after it."""
    _, exporter = global_provider()
    instrumentor = AgentCostInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    exporter.clear()
    yield exporter
    instrumentor.uninstrument()
    gc.collect()
    exporter.clear()


@pytest.fixture(scope="session")
def llm():
    with StandinLLM() as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_llm(request):
    if "llm" in request.fixturenames:
        request.getfixturevalue("llm").clear()


@pytest.fixture
def oai(llm):
    return openai.OpenAI(base_url=llm.openai_base_url, api_key="sk-test-not-a-real-key", max_retries=2)


@pytest.fixture
def aoai(llm):
    return openai.AsyncOpenAI(base_url=llm.openai_base_url, api_key="sk-test-not-a-real-key", max_retries=2)


@pytest.fixture
def claude(llm):
    """An Anthropic client with the SDK's own tracing on (its default)."""
    return anthropic.Anthropic(base_url=llm.anthropic_base_url, api_key="test-key", max_retries=2)


@pytest.fixture
def claude_untraced(llm):
    """An Anthropic client whose own tracing is off: the instrumentation must make the span."""
    return anthropic.Anthropic(base_url=llm.anthropic_base_url, api_key="test-key", open_telemetry=False)


@pytest.fixture
def aclaude_untraced(llm):
    return anthropic.AsyncAnthropic(base_url=llm.anthropic_base_url, api_key="test-key", open_telemetry=False)


def llm_spans(exporter):
    return [s for s in exporter.get_finished_spans() if "gen_ai.operation.name" in (s.attributes or {})]
