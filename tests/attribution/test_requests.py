"""What the real SDKs are given reaches attribution: headers (the client's and the call's), metadata, conversation
ids, messages and system prompts, through OpenAI chat, Responses and embeddings and Anthropic Messages (its own
span, or ours when its tracing is off). The span's context tokens split the input the provider reported."""

from __future__ import annotations

import re

import anthropic
import openai
import pytest

import otel_agentcost as agentcost
from otel_agentcost.attribution import CallAttributor
from otel_agentcost.standin import Reply
from tests.attribution.scenario import HEARTBEAT, SYSTEM, chars, prompt, reply
from tests.instrumentation.conftest import llm_spans

MODEL = "gpt-4o-mini"
CLAUDE = "claude-sonnet-4-6"
SESSION_KEY = {"x-session-key": "agent:main:main"}


def span_attributes(spans, count=1):
    found = llm_spans(spans)
    assert len(found) == count, [s.name for s in found]
    return [dict(s.attributes) for s in found]


@pytest.fixture
def gateway_client(llm):
    return openai.OpenAI(base_url=llm.openai_base_url, api_key="sk-test-not-a-real-key", default_headers=SESSION_KEY)


def test_openai_session_from_the_clients_header_with_trigger_task_and_inherited_tokens(spans, llm, gateway_client):
    llm.enqueue(Reply(input_tokens=700, output_tokens=5), Reply(input_tokens=2000, output_tokens=5))
    first = [SYSTEM, prompt("a")]
    gateway_client.chat.completions.create(model=MODEL, messages=first)
    command = {"role": "user", "content": "/new then write the release notes for the 2.0 version of the product"}
    second = [*first, reply("a"), command]
    gateway_client.chat.completions.create(model=MODEL, messages=second)

    a, b = span_attributes(spans, 2)
    assert a["agentcost.session.id"] == b["gen_ai.conversation.id"] == "agent:main:main"
    assert "agentcost.trigger" not in a  # no marker, and no user pattern by default
    assert re.fullmatch(r"agent:main:main/task-[0-9a-f]{8}", a["agentcost.task.id"])
    assert b["agentcost.task.id"] != a["agentcost.task.id"]
    assert a["agentcost.context.inherited_tokens"] == 0
    assert b["agentcost.context.inherited_tokens"] == 2000 * chars(prompt("a"), reply("a")) // chars(*second)
    assert b["agentcost.context.foreign_tokens"] == 0
    assert b["agentcost.context.chars"] == chars(*second)


def test_the_calls_own_header_wins_and_a_secret_looking_one_is_hashed(spans, llm, gateway_client):
    secret = "Bearer sk-live-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    gateway_client.chat.completions.create(model=MODEL, messages=[prompt("a")], extra_headers={"X-Session-Key": secret})

    (a,) = span_attributes(spans)
    assert re.fullmatch(r"sha256:[0-9a-f]{16}", a["agentcost.session.id"])
    assert not any("9f8e7d6c5b4a" in str(value) for value in a.values())
    assert llm.requests[-1].headers["x-session-key"] == secret  # what the SDK sends is untouched


@pytest.mark.parametrize(
    ("arguments", "session"),
    [
        ({"metadata": {"session_id": "thread-12"}, "user": "ana"}, "thread-12"),
        ({"prompt_cache_key": "agent:pm:main", "user": "ana"}, "agent:pm:main"),
        ({"user": "ana"}, "ana"),
    ],
)
def test_openai_request_metadata_names_the_session(spans, llm, oai, arguments, session):
    oai.chat.completions.create(model=MODEL, messages=[prompt("a")], **arguments)
    assert span_attributes(spans)[0]["agentcost.session.id"] == session


def test_openai_stream_gets_its_context_tokens_from_the_final_usage(spans, llm, gateway_client):
    llm.enqueue(Reply(input_tokens=100, output_tokens=5), Reply(input_tokens=900, output_tokens=5))
    with agentcost.task("T1"):
        gateway_client.chat.completions.create(model=MODEL, messages=[SYSTEM, prompt("a")])
    second = [SYSTEM, prompt("a"), reply("a"), prompt("b")]
    with agentcost.task("T2"):
        list(gateway_client.chat.completions.create(model=MODEL, messages=second, stream=True))

    _, b = span_attributes(spans, 2)
    assert b["agentcost.task.id"] == "T2"
    assert b["agentcost.context.inherited_tokens"] == 900 * chars(prompt("a"), reply("a")) // chars(*second)


def test_responses_api_reads_instructions_input_and_continuations(spans, llm, gateway_client):
    llm.enqueue(Reply(input_tokens=300, output_tokens=5), Reply(input_tokens=400, output_tokens=5))
    text = "# Heartbeat Checks\n- inbox"
    first = gateway_client.responses.create(model=MODEL, instructions="Be brief.", input=text)
    gateway_client.responses.create(model=MODEL, input=prompt("a")["content"], previous_response_id=first.id)

    a, b = span_attributes(spans, 2)
    assert a["agentcost.trigger"] == "heartbeat" and "agentcost.task.id" not in a
    assert a["agentcost.context.chars"] == len("Be brief.") + len(text)
    assert "agentcost.trigger" not in b and b["agentcost.session.id"] == "agent:main:main"


def test_embeddings_get_the_session_only(spans, llm, gateway_client):
    gateway_client.embeddings.create(model="text-embedding-3-small", input="hello")
    (a,) = span_attributes(spans)
    assert a["agentcost.session.id"] == "agent:main:main"
    assert not any(key.startswith("agentcost.context.") for key in a)


def test_anthropic_sdk_span_gets_session_trigger_task_and_context_tokens(spans, llm):
    client = anthropic.Anthropic(base_url=llm.anthropic_base_url, api_key="test-key", default_headers=SESSION_KEY)
    llm.enqueue(Reply(input_tokens=500, output_tokens=5), Reply(input_tokens=800, output_tokens=5))
    with agentcost.task("T1"):
        client.messages.create(model=CLAUDE, max_tokens=64, system=SYSTEM["content"], messages=[prompt("a")])
    second = [prompt("a"), reply("a"), prompt("b")]
    with agentcost.task("T2"):
        client.messages.create(model=CLAUDE, max_tokens=64, system=SYSTEM["content"], messages=second)

    a, b = span_attributes(spans, 2)
    assert b["agentcost.session.id"] == "agent:main:main" and "agentcost.trigger" not in b
    assert b["agentcost.task.id"] == "T2"
    total = len(SYSTEM["content"]) + chars(*second)
    assert b["agentcost.context.inherited_tokens"] == 800 * chars(prompt("a"), reply("a")) // total
    assert a["agentcost.context.inherited_tokens"] == 0
    assert a["agentcost.context.introduced"].endswith(f":{chars(prompt('a'))}")


def test_anthropic_metadata_user_id_and_conversation_id_name_the_session(spans, llm, claude):
    claude.messages.create(model=CLAUDE, max_tokens=64, messages=[HEARTBEAT], metadata={"user_id": "agent-7"})
    conversation = claude.with_options(open_telemetry={**claude.open_telemetry, "conversation_id": "conv-42"})
    conversation.messages.create(model=CLAUDE, max_tokens=64, messages=[prompt("a")])

    a, b = span_attributes(spans, 2)
    assert (a["agentcost.session.id"], a["agentcost.trigger"]) == ("agent-7", "heartbeat")
    assert b["agentcost.session.id"] == b["gen_ai.conversation.id"] == "conv-42"


def test_anthropic_without_its_own_tracing_reads_the_call_and_its_stream(spans, llm, claude_untraced):
    llm.enqueue(Reply(input_tokens=50, output_tokens=5), Reply(input_tokens=90, output_tokens=5))
    claude_untraced.messages.create(
        model=CLAUDE, max_tokens=64, messages=[prompt("a")], extra_headers={"x-session-id": "s-untraced"}
    )
    with claude_untraced.messages.stream(
        model=CLAUDE, max_tokens=64, messages=[prompt("a"), reply("a"), prompt("b")], metadata={"user_id": "s-untraced"}
    ) as stream:
        stream.get_final_message()

    a, b = span_attributes(spans, 2)
    assert a["agentcost.session.id"] == b["agentcost.session.id"] == "s-untraced"
    assert a["agentcost.task.id"] == b["agentcost.task.id"]  # the conversation went on
    assert b["agentcost.context.chars"] == chars(prompt("a"), reply("a"), prompt("b"))


def test_a_bug_in_attribution_leaves_the_call_and_the_context_layers_attribution(
    spans, llm, gateway_client, monkeypatch
):
    def broken(self, layers, request):
        raise RuntimeError("attribution bug")

    monkeypatch.setattr(CallAttributor, "attribute", broken)
    llm.enqueue(Reply(text="fine", input_tokens=40, output_tokens=2))
    with agentcost.session("s-code"):
        result = gateway_client.chat.completions.create(model=MODEL, messages=[prompt("a")])

    assert result.choices[0].message.content == "fine"
    (a,) = span_attributes(spans)
    assert (a["agentcost.session.id"], a["gen_ai.usage.input_tokens"]) == ("s-code", 40)
    assert "agentcost.context.inherited_tokens" not in a
