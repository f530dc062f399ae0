"""One stand-in server for the whole run (cleared before each test) and real SDK clients pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import anthropic
import openai
import pytest

from otel_agentcost.standin import StandinLLM


@pytest.fixture(scope="session")
def running_llm() -> Iterator[StandinLLM]:
    with StandinLLM() as server:
        yield server


@pytest.fixture
def llm(running_llm: StandinLLM) -> StandinLLM:
    running_llm.clear()
    return running_llm


@pytest.fixture(scope="session")
def shared_openai_client(running_llm: StandinLLM) -> Iterator[openai.OpenAI]:
    """Shared because building a client (its TLS context) costs more than most tests here."""
    with openai.OpenAI(base_url=running_llm.openai_base_url, api_key="sk-test", max_retries=0) as client:
        yield client


@pytest.fixture(scope="session")
def shared_anthropic_client(running_llm: StandinLLM) -> Iterator[anthropic.Anthropic]:
    client = anthropic.Anthropic(
        base_url=running_llm.anthropic_base_url, api_key="sk-ant-test", max_retries=0, open_telemetry=False
    )
    with client:
        yield client


@pytest.fixture
def openai_client(llm: StandinLLM, shared_openai_client: openai.OpenAI) -> openai.OpenAI:
    return shared_openai_client


@pytest.fixture
def anthropic_client(llm: StandinLLM, shared_anthropic_client: anthropic.Anthropic) -> anthropic.Anthropic:
    return shared_anthropic_client


@pytest.fixture
def make_async_openai(llm: StandinLLM) -> Callable[[], openai.AsyncOpenAI]:
    """A factory, called inside the test's event loop: an async client belongs to the loop that uses it."""
    return lambda: openai.AsyncOpenAI(base_url=llm.openai_base_url, api_key="sk-test", max_retries=0)


@pytest.fixture
def make_async_anthropic(llm: StandinLLM) -> Callable[[], anthropic.AsyncAnthropic]:
    return lambda: anthropic.AsyncAnthropic(
        base_url=llm.anthropic_base_url, api_key="sk-ant-test", max_retries=0, open_telemetry=False
    )
