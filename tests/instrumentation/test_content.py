"""Prompt and completion content: absent by default; with capture on, in the GenAI conventions' span attributes,
credential-masked, from both SDKs over real HTTP; and never the client's API key or headers in any mode."""

from __future__ import annotations

import json
import logging

import anthropic
import openai
import pytest

from otel_agentcost.instrumentation import content
from otel_agentcost.instrumentation.llm_call import CallSettings, LLMCall
from otel_agentcost.instrumentation.openai import patch as openai_patch
from otel_agentcost.pricing import PriceTable
from otel_agentcost.processor import Attribution
from otel_agentcost.standin import Reply
from tests.instrumentation.conftest import llm_spans

CONTENT_ATTRIBUTES = ("gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions")
OPENAI_KEY = "sk-proj-Zq3vT9xW2yB7nK4mP8rL1sD6fG0hJ5cA"
ANTHROPIC_KEY = "sk-ant-api03-Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz"
MODEL = "claude-sonnet-4-6"


@pytest.fixture
def captured(monkeypatch, request):
    """The `spans` exporter, with content capture turned on through the environment before instrumenting."""
    monkeypatch.setenv(content.CAPTURE_ENV, "true")
    return request.getfixturevalue("spans")


def only_span(exporter):
    found = llm_spans(exporter)
    assert len(found) == 1, [s.name for s in found]
    return found[0]


def messages(span, name):
    return json.loads(span.attributes[name])


def every_value(exporter) -> str:
    """All attribute and event values of every finished span, as one string to search."""
    values = []
    for span in exporter.get_finished_spans():
        values += [f"{key}={value}" for key, value in (span.attributes or {}).items()]
        for event in span.events:
            values += [f"{key}={value}" for key, value in (event.attributes or {}).items()]
    return "\n".join(values)


# --- the switch -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "SPAN_ONLY", "span_and_event"])
def test_capture_is_turned_on_by_the_genai_variable(value):
    assert content.capture_from_env({content.CAPTURE_ENV: value}) is True


@pytest.mark.parametrize("value", ["", "false", "0", "NO_CONTENT"])
def test_capture_is_off_unless_turned_on(value):
    assert content.capture_from_env({content.CAPTURE_ENV: value}) is False
    assert content.capture_from_env({}) is False


@pytest.mark.parametrize(("value", "says"), [("yes please", "not understood"), ("EVENT_ONLY", "span attributes only")])
def test_a_value_that_records_nothing_is_off_with_a_warning_naming_the_variable(value, says, caplog):
    with caplog.at_level(logging.WARNING):
        assert content.capture_from_env({content.CAPTURE_ENV: value}) is False
    assert content.CAPTURE_ENV in caplog.text
    assert says in caplog.text


def test_by_default_no_content_is_recorded_from_either_sdk(spans, llm, oai, claude, claude_untraced):
    prompt = [{"role": "user", "content": "status of T-7?"}]
    llm.enqueue(Reply(text="blocked on review"), Reply(text="blocked on review"), Reply(text="blocked on review"))

    oai.chat.completions.create(model="gpt-4o-mini", messages=prompt)
    claude.messages.create(model=MODEL, max_tokens=32, system="you are a pm", messages=prompt)
    claude_untraced.messages.create(model=MODEL, max_tokens=32, messages=prompt)

    found = llm_spans(spans)
    assert len(found) == 3
    recorded = every_value(spans)
    assert not any(name in recorded for name in CONTENT_ATTRIBUTES)
    assert "T-7" not in recorded and "blocked on review" not in recorded and "you are a pm" not in recorded


# --- what is recorded when on -------------------------------------------------------------------------------------


def test_openai_chat_records_the_conversation_and_the_reply_in_the_conventions_shape(captured, llm, oai):
    llm.enqueue(Reply(text="On it.", tool_calls=[("lookup", {"task": "T-7"})]))
    conversation = [
        {"role": "system", "content": "You are the PM agent."},
        {"role": "user", "content": [{"type": "text", "text": "What blocks T-7?"}]},
    ]

    completion = oai.chat.completions.create(model="gpt-4o-mini", messages=conversation)

    span = only_span(captured)
    assert messages(span, "gen_ai.input.messages") == [
        {"role": "system", "parts": [{"type": "text", "content": "You are the PM agent."}]},
        {"role": "user", "parts": [{"type": "text", "content": "What blocks T-7?"}]},
    ]
    call = completion.choices[0].message.tool_calls[0]
    assert messages(span, "gen_ai.output.messages") == [
        {
            "role": "assistant",
            "parts": [
                {"type": "text", "content": "On it."},
                {"type": "tool_call", "id": call.id, "name": "lookup", "arguments": {"task": "T-7"}},
            ],
            "finish_reason": "tool_calls",
        }
    ]


def test_openai_tool_results_are_tool_call_responses(captured, llm, oai):
    conversation = [
        {"role": "user", "content": "look it up"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": '{"a'}}],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "T-7 is blocked"},
    ]

    oai.chat.completions.create(model="gpt-4o-mini", messages=conversation)

    recorded = messages(only_span(captured), "gen_ai.input.messages")
    # Arguments cut short are not JSON: kept as sent.
    assert recorded[1]["parts"] == [{"type": "tool_call", "id": "call_1", "name": "lookup", "arguments": '{"a'}]
    assert recorded[2] == {
        "role": "tool",
        "parts": [{"type": "tool_call_response", "id": "call_1", "response": "T-7 is blocked"}],
    }


def test_a_streamed_reply_is_gathered_into_one_output_message(captured, llm, oai):
    llm.enqueue(Reply(text="one two three four five"))

    stream = oai.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "count"}], stream=True
    )
    received = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)

    assert received == "one two three four five"
    assert messages(only_span(captured), "gen_ai.output.messages") == [
        {"role": "assistant", "parts": [{"type": "text", "content": received}], "finish_reason": "stop"}
    ]


def test_responses_api_records_instructions_input_and_output(captured, llm, oai):
    llm.enqueue(Reply(text="Filed."))

    oai.responses.create(model="gpt-4o-mini", instructions="Be brief.", input="File the report.")

    span = only_span(captured)
    assert messages(span, "gen_ai.system_instructions") == [{"type": "text", "content": "Be brief."}]
    assert messages(span, "gen_ai.input.messages") == [
        {"role": "user", "parts": [{"type": "text", "content": "File the report."}]}
    ]
    output = messages(span, "gen_ai.output.messages")
    assert output[0]["parts"] == [{"type": "text", "content": "Filed."}]
    assert output[0]["finish_reason"] == "completed"


def test_a_streamed_response_records_the_terminal_events_whole_output_once(captured, llm, oai):
    llm.enqueue(Reply(text="Streamed and filed."))

    with oai.responses.stream(model="gpt-4o-mini", input="File it.") as stream:
        stream.get_final_response()

    output = messages(only_span(captured), "gen_ai.output.messages")
    assert output == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": "Streamed and filed."}],
            "finish_reason": "completed",
        }
    ]


@pytest.mark.parametrize("client_fixture", ["claude", "claude_untraced"])
def test_anthropic_system_prompt_is_the_system_instructions_and_blocks_become_parts(
    captured, llm, request, client_fixture
):
    client = request.getfixturevalue(client_fixture)
    llm.enqueue(Reply(text="Nothing new.", tool_calls=[("page", {"who": "oncall"})]))
    conversation = [
        {"role": "user", "content": "# Heartbeat"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "check", "input": {"a": 1}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "all green"}]},
    ]

    reply = client.messages.create(model=MODEL, max_tokens=64, system="You watch the fleet.", messages=conversation)

    span = only_span(captured)
    assert messages(span, "gen_ai.system_instructions") == [{"type": "text", "content": "You watch the fleet."}]
    recorded = messages(span, "gen_ai.input.messages")
    assert recorded[1]["parts"] == [{"type": "tool_call", "id": "toolu_1", "name": "check", "arguments": {"a": 1}}]
    assert recorded[2]["parts"] == [{"type": "tool_call_response", "id": "toolu_1", "response": "all green"}]
    assert messages(span, "gen_ai.output.messages") == [
        {
            "role": "assistant",
            "parts": [
                {"type": "text", "content": "Nothing new."},
                {"type": "tool_call", "id": reply.content[1].id, "name": "page", "arguments": {"who": "oncall"}},
            ],
            "finish_reason": "tool_use",
        }
    ]


def stream_text(client, how):
    prompt = [{"role": "user", "content": "status?"}]
    if how == "raw":
        events = client.messages.create(model=MODEL, max_tokens=64, messages=prompt, stream=True)
        return "".join(event.delta.text for event in events if event.type == "content_block_delta")
    with client.messages.stream(model=MODEL, max_tokens=64, messages=prompt) as stream:
        return "".join(stream.text_stream)


@pytest.mark.parametrize("how", ["raw", "helper"])
@pytest.mark.parametrize("client_fixture", ["claude", "claude_untraced"])
def test_an_anthropic_stream_records_the_streamed_text(captured, llm, request, client_fixture, how):
    llm.enqueue(Reply(text="all quiet on the fleet"))

    text = stream_text(request.getfixturevalue(client_fixture), how)

    assert text == "all quiet on the fleet"
    output = messages(only_span(captured), "gen_ai.output.messages")
    assert output == [{"role": "assistant", "parts": [{"type": "text", "content": text}], "finish_reason": "end_turn"}]


def test_images_are_named_by_type_without_their_data(captured, llm, oai):
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64," + "A" * 400}}

    oai.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": [{"type": "text", "text": "what is it?"}, image]}]
    )

    recorded = only_span(captured).attributes["gen_ai.input.messages"]
    assert json.loads(recorded)[0]["parts"][1] == {"type": "image_url"}
    assert "base64" not in recorded


# --- secrets ---------------------------------------------------------------------------------------------------------


def test_credentials_in_prompts_and_replies_are_redacted_before_export(captured, llm, oai):
    llm.enqueue(Reply(text="Use AKIAIOSFODNN7EXAMPLE with Authorization: Bearer abcdef0123456789xyz"))
    prompt = f"my key is {OPENAI_KEY}, the db password=hunter2 and ghp_{'x1' * 18}"

    oai.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}])

    recorded = every_value(captured)
    for secret in (OPENAI_KEY, "hunter2", "ghp_x1", "AKIAIOSFODNN7EXAMPLE", "abcdef0123456789xyz"):
        assert secret not in recorded
    span = only_span(captured)
    said = messages(span, "gen_ai.input.messages")[0]["parts"][0]["content"]
    assert said == "my key is [REDACTED:openai_key], the db password=[REDACTED:secret] and [REDACTED:github_token]"
    assert "[REDACTED:aws_access_key]" in span.attributes["gen_ai.output.messages"]


def test_tool_arguments_with_secret_named_keys_are_redacted(captured, llm, claude_untraced):
    llm.enqueue(Reply(text="Done.", tool_calls=[("deploy", {"region": "eu", "api_key": "plain-looking-value"})]))

    claude_untraced.messages.create(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "deploy"}])

    output = messages(only_span(captured), "gen_ai.output.messages")
    assert output[0]["parts"][1]["arguments"] == {"region": "eu", "api_key": "[REDACTED:secret]"}


@pytest.mark.parametrize("capture", ["false", "true"])
def test_the_api_key_and_request_headers_are_never_recorded(llm, monkeypatch, request, capture):
    monkeypatch.setenv(content.CAPTURE_ENV, capture)
    exporter = request.getfixturevalue("spans")
    oai = openai.OpenAI(base_url=llm.openai_base_url, api_key=OPENAI_KEY, default_headers={"x-trace": "t1"})

    oai.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    for tracing in ({}, {"open_telemetry": False}):
        claude = anthropic.Anthropic(base_url=llm.anthropic_base_url, api_key=ANTHROPIC_KEY, **tracing)
        claude.messages.create(model=MODEL, max_tokens=8, messages=[{"role": "user", "content": "hi"}])

    recorded = every_value(exporter)
    names = " ".join(key for span in exporter.get_finished_spans() for key in (span.attributes or {}))
    assert len(llm_spans(exporter)) == 3
    assert OPENAI_KEY not in recorded and ANTHROPIC_KEY not in recorded
    assert "authorization" not in names.lower() and "x-api-key" not in names.lower()
    assert "http.request.header" not in names


@pytest.mark.parametrize("capture", ["false", "true"])
def test_content_the_anthropic_sdk_records_in_its_own_content_mode_is_masked_too(llm, monkeypatch, request, capture):
    monkeypatch.setenv(content.CAPTURE_ENV, capture)
    monkeypatch.setenv("ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE", "content")
    exporter = request.getfixturevalue("spans")
    claude = anthropic.Anthropic(base_url=llm.anthropic_base_url, api_key="test-key")
    llm.enqueue(Reply(text=f"noted: {ANTHROPIC_KEY}"))

    prompt = [{"role": "user", "content": f"remember {OPENAI_KEY}"}]
    with claude.messages.stream(model=MODEL, max_tokens=64, messages=prompt) as stream:
        reply = stream.get_final_message()

    assert ANTHROPIC_KEY in reply.content[0].text  # the caller gets the reply as sent
    span = only_span(exporter)
    assert span.instrumentation_scope.name == "com.anthropic.sdk.python"
    assert "[REDACTED:openai_key]" in span.attributes["gen_ai.input.messages"]
    assert "[REDACTED:anthropic_key]" in span.attributes["gen_ai.output.messages"]
    recorded = every_value(exporter)
    assert OPENAI_KEY not in recorded and ANTHROPIC_KEY not in recorded


def test_an_error_message_quoting_a_credential_is_masked_in_the_span_status(spans, provider):
    settings = CallSettings(provider.get_tracer("test"), PriceTable.bundled(), Attribution(environ={}))
    call = LLMCall(settings, operation="chat", provider="openai", model="gpt-4o-mini")

    call.finish(RuntimeError(f"proxy refused key {OPENAI_KEY}"))

    (span,) = spans.get_finished_spans()
    assert span.status.description == "proxy refused key [REDACTED:openai_key]"


# --- never breaking the call ----------------------------------------------------------------------------------------


def test_a_failure_reading_content_leaves_the_call_and_its_span_whole(captured, llm, oai, monkeypatch, caplog):
    def broken(kwargs):
        raise RuntimeError("unexpected message shape")

    monkeypatch.setitem(openai_patch._CONTENT_INPUT, "chat", broken)
    llm.enqueue(Reply(text="fine", input_tokens=12, output_tokens=3))

    with caplog.at_level(logging.WARNING):
        completion = oai.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])

    assert completion.choices[0].message.content == "fine"
    span = only_span(captured)
    assert "gen_ai.input.messages" not in span.attributes
    assert span.attributes["gen_ai.usage.input_tokens"] == 12
    assert "gen_ai.output.messages" in span.attributes
    assert "could not record the request's content" in caplog.text
