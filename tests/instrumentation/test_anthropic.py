"""The anthropic SDK over real HTTP: its own span is completed when its tracing is on, ours is made when off;
either way exactly one span per call, with input tokens that include cache reads and writes."""

from __future__ import annotations

import asyncio
import gc

import anthropic
import pytest
from opentelemetry.trace import StatusCode

import otel_agentcost as agentcost
from otel_agentcost.standin import Reply
from tests.instrumentation.conftest import llm_spans
from tests.instrumentation.test_openai import expected_cost

MODEL = "claude-sonnet-4-6"
MESSAGES = [{"role": "user", "content": "# Heartbeat Checks\nAnything new?"}]
CACHED = Reply(text="Nothing new.", input_tokens=6900, output_tokens=40, cached_tokens=5000, cache_write_tokens=1200)


def only_span(spans):
    found = llm_spans(spans)
    assert len(found) == 1, [(s.name, s.instrumentation_scope.name) for s in found]
    return found[0]


def assert_cached_usage(a):
    # Anthropic reports 700 uncached input tokens; the conventions' input count includes cache reads and writes.
    assert a["gen_ai.usage.input_tokens"] == 700 + 5000 + 1200
    assert a["gen_ai.usage.cache_read.input_tokens"] == 5000
    assert a["gen_ai.usage.cache_creation.input_tokens"] == 1200
    assert a["gen_ai.usage.output_tokens"] == 40
    assert a["agentcost.cost.usd"] == pytest.approx(expected_cost(MODEL, 6900, 40, cache_read=5000, cache_write=1200))


def test_sdk_span_is_completed_not_duplicated(spans, llm, claude):
    llm.enqueue(CACHED)

    with agentcost.session("s-hb", agent="ops-1"), agentcost.heartbeat():
        message = claude.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES)

    assert message.usage.input_tokens == 700
    span = only_span(spans)
    assert span.instrumentation_scope.name == "com.anthropic.sdk.python"
    a = span.attributes
    assert_cached_usage(a)
    assert a["agentcost.session.id"] == "s-hb"
    assert a["agentcost.trigger"] == "heartbeat"
    assert a["gen_ai.response.id"] == message.id


@pytest.mark.parametrize("how", ["create_stream", "stream_helper"])
def test_sdk_span_of_a_stream_is_completed(spans, llm, claude, how):
    llm.enqueue(CACHED)

    if how == "create_stream":
        events = list(claude.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES, stream=True))
        assert events[-1].type == "message_stop"
    else:
        with claude.messages.stream(model=MODEL, max_tokens=64, messages=MESSAGES) as stream:
            assert stream.get_final_message().usage.output_tokens == 40

    assert_cached_usage(only_span(spans).attributes)


def test_own_span_when_sdk_tracing_is_off(spans, llm, claude_untraced):
    llm.enqueue(CACHED)

    with agentcost.session("s-off"):
        message = claude_untraced.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES)

    span = only_span(spans)
    assert span.instrumentation_scope.name == "otel_agentcost.instrumentation"
    assert span.name == f"chat {MODEL}"
    assert span.status.status_code is StatusCode.UNSET  # only an error sets a status (Ok is the application's)
    a = span.attributes
    assert_cached_usage(a)
    assert a["gen_ai.provider.name"] == "anthropic"
    assert a["gen_ai.response.finish_reasons"] == ("end_turn",)
    assert a["gen_ai.response.id"] == message.id
    assert a["agentcost.session.id"] == "s-off"


def test_own_span_of_streams_takes_the_cumulative_final_usage(spans, llm, claude_untraced):
    llm.enqueue(CACHED, CACHED)

    list(claude_untraced.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES, stream=True))
    with claude_untraced.messages.stream(model=MODEL, max_tokens=64, messages=MESSAGES) as stream:
        text = "".join(stream.text_stream)

    assert text == "Nothing new."
    found = llm_spans(spans)
    assert len(found) == 2
    for span in found:
        assert_cached_usage(span.attributes)


def test_own_span_async_create_and_stream_helper(spans, llm, aclaude_untraced):
    async def run():
        llm.enqueue(CACHED, CACHED)
        await aclaude_untraced.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES)
        async with aclaude_untraced.messages.stream(model=MODEL, max_tokens=64, messages=MESSAGES) as stream:
            return await stream.get_final_message()

    final = asyncio.run(run())

    assert final.usage.cache_read_input_tokens == 5000
    found = llm_spans(spans)
    assert len(found) == 2
    for span in found:
        assert_cached_usage(span.attributes)


def test_abandoned_stream_ends_with_the_input_known_and_output_estimated(spans, llm, claude_untraced):
    llm.enqueue(Reply(text="word " * 200, input_tokens=300, output_tokens=200))

    stream = claude_untraced.messages.create(model=MODEL, max_tokens=512, messages=MESSAGES, stream=True)
    for event in stream:
        if event.type == "content_block_delta":
            break
    del stream, event
    gc.collect()

    a = only_span(spans).attributes
    assert a["gen_ai.usage.input_tokens"] == 300
    assert a["agentcost.usage.estimated"] is True
    assert 0 < a["gen_ai.usage.output_tokens"] < 200


def test_truncated_stream_from_the_server_still_ends_the_span(spans, llm, claude_untraced):
    llm.enqueue(Reply(text="cut short " * 10, input_tokens=50, output_tokens=30, truncate_stream_after=4))

    events = list(claude_untraced.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES, stream=True))

    assert events[-1].type != "message_stop"
    a = only_span(spans).attributes
    assert a["gen_ai.usage.input_tokens"] == 50
    assert a["agentcost.usage.estimated"] is True


@pytest.mark.parametrize("client_fixture", ["claude", "claude_untraced"])
def test_errors_reach_the_caller_unchanged_with_one_error_span(spans, llm, request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    llm.enqueue(Reply(status=400, error_type="invalid_request_error"))

    with pytest.raises(anthropic.BadRequestError):
        client.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES)

    span = only_span(spans)
    assert span.status.status_code is StatusCode.ERROR
    assert "agentcost.cost.usd" not in span.attributes


def test_retries_after_overload_make_one_span(spans, llm, claude_untraced):
    client = claude_untraced.with_options(max_retries=2)
    llm.enqueue(Reply(status=529, error_type="overloaded_error", headers={"retry-after": "0"}), CACHED)

    client.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES)

    assert len(llm.requests) == 2
    assert_cached_usage(only_span(spans).attributes)
