"""The openai SDK, driven over real HTTP against the stand-in server: one exact span per call."""

from __future__ import annotations

import asyncio
import gc

import openai
import pytest
from opentelemetry.trace import SpanKind, StatusCode
from pydantic import BaseModel

import otel_agentcost as agentcost
from otel_agentcost import AgentCostInstrumentor
from otel_agentcost.instrumentation.openai import patch as openai_patch
from otel_agentcost.pricing import PriceTable
from otel_agentcost.standin import Reply
from tests.instrumentation.conftest import llm_spans

MESSAGES = [{"role": "user", "content": "What is the status of T-7?"}]


def expected_cost(model, input_tokens, output_tokens, cache_read=0, cache_write=0):
    """The price table's arithmetic, written out: input includes cached input, which is priced at the cache rate."""
    price = PriceTable.bundled().lookup(model)
    uncached = input_tokens - cache_read - cache_write
    return (
        uncached * price.input_per_mtok
        + cache_read * (price.cache_read_per_mtok if price.cache_read_per_mtok is not None else price.input_per_mtok)
        + cache_write * (price.cache_write_per_mtok if price.cache_write_per_mtok is not None else price.input_per_mtok)
        + output_tokens * price.output_per_mtok
    ) / 1e6


def only_span(spans):
    found = llm_spans(spans)
    assert len(found) == 1, [s.name for s in found]
    return found[0]


def test_chat_completion_span_carries_exact_usage_cost_and_response_fields(spans, llm, oai):
    llm.enqueue(
        Reply(text="On review.", input_tokens=1200, output_tokens=300, cached_tokens=1000, reasoning_tokens=120)
    )

    completion = oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    assert completion.choices[0].message.content == "On review."
    span = only_span(spans)
    a = span.attributes
    assert span.name == "chat gpt-4o-mini"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    assert a["gen_ai.operation.name"] == "chat"
    assert a["gen_ai.request.model"] == "gpt-4o-mini"
    assert a["gen_ai.response.model"] == completion.model
    assert a["gen_ai.response.id"] == completion.id
    assert a["gen_ai.response.finish_reasons"] == ("stop",)
    assert a["gen_ai.usage.input_tokens"] == 1200
    assert a["gen_ai.usage.output_tokens"] == 300
    assert a["gen_ai.usage.cache_read.input_tokens"] == 1000
    assert a["gen_ai.usage.reasoning.output_tokens"] == 120
    assert a["server.address"] == "127.0.0.1"
    assert a["agentcost.cost.source"] == "price_table"
    assert a["agentcost.cost.usd"] == pytest.approx(expected_cost("gpt-4o-mini", 1200, 300, cache_read=1000))
    assert "agentcost.usage.estimated" not in a


def test_no_prompt_or_completion_content_and_no_api_key_is_recorded(spans, llm, oai):
    oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    values = " ".join(str(v) for v in only_span(spans).attributes.values())
    assert "status of T-7" not in values
    assert "sk-test" not in values


def test_stream_without_include_usage_gets_exact_usage_and_caller_sees_no_usage_chunk(spans, llm, oai):
    reply = Reply(text="one two three four", input_tokens=500, output_tokens=42, cached_tokens=100)
    AgentCostInstrumentor().uninstrument()
    llm.enqueue(reply)
    plain = list(oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))
    AgentCostInstrumentor().instrument()
    llm.enqueue(reply)

    chunks = list(oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))

    assert llm.requests[-1].body["stream_options"] == {"include_usage": True}
    assert "stream_options" not in llm.requests[0].body
    assert [c.choices[0].delta.content if c.choices else None for c in chunks] == [
        c.choices[0].delta.content if c.choices else None for c in plain
    ]
    assert all(c.usage is None for c in chunks)
    a = only_span(spans).attributes
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (500, 42)
    assert a["gen_ai.usage.cache_read.input_tokens"] == 100
    assert a["gen_ai.request.stream"] is True
    assert a["agentcost.cost.usd"] == pytest.approx(expected_cost("gpt-4o-mini", 500, 42, cache_read=100))


def test_stream_where_caller_asked_for_usage_keeps_the_usage_chunk(spans, llm, oai):
    llm.enqueue(Reply(input_tokens=10, output_tokens=3))

    chunks = list(
        oai.chat.completions.create(
            model="gpt-4o-mini", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
        )
    )

    assert chunks[-1].choices == [] and chunks[-1].usage.prompt_tokens == 10
    assert only_span(spans).attributes["gen_ai.usage.output_tokens"] == 3


@pytest.mark.parametrize(
    ("theirs", "sent"),
    [
        ({"extra_body": {"user_tier": "gold"}}, {"user_tier": "gold", "stream_options": {"include_usage": True}}),
        ({"stream_options": {"include_obfuscation": False}},
         {"stream_options": {"include_obfuscation": False, "include_usage": True}}),
        ({"extra_body": {"stream_options": {"include_obfuscation": False}}},
         {"stream_options": {"include_obfuscation": False, "include_usage": True}}),
    ],
    ids=["their extra_body", "their stream_options", "their stream_options in extra_body"],
)  # fmt: skip
def test_stream_usage_request_keeps_what_the_caller_sent_alongside_it(spans, llm, oai, theirs, sent):
    llm.enqueue(Reply(text="one two", input_tokens=70, output_tokens=2))

    chunks = list(oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True, **theirs))

    body = llm.requests[-1].body
    assert {key: body[key] for key in sent} == sent
    assert all(c.usage is None for c in chunks)
    assert only_span(spans).attributes["gen_ai.usage.input_tokens"] == 70


def test_stream_where_caller_asked_for_usage_in_extra_body_keeps_the_usage_chunk(spans, llm, oai):
    llm.enqueue(Reply(input_tokens=10, output_tokens=3))
    options = {"stream_options": {"include_usage": True}}

    chunks = list(oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True, extra_body=options))

    assert chunks[-1].choices == [] and chunks[-1].usage.prompt_tokens == 10
    assert only_span(spans).attributes["gen_ai.usage.output_tokens"] == 3


def test_stream_helper_and_tool_call_deltas(spans, llm, oai):
    llm.enqueue(Reply(text="", tool_calls=[("claim_task", {"task": "T-7"})], input_tokens=80, output_tokens=12))

    with oai.chat.completions.stream(model="gpt-4o-mini", messages=MESSAGES) as stream:
        final = stream.get_final_completion()

    assert final.choices[0].message.tool_calls[0].function.name == "claim_task"
    a = only_span(spans).attributes
    assert a["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (80, 12)


def test_stream_read_in_a_for_statement_that_holds_no_other_reference_is_exact(spans, llm, oai):
    llm.enqueue(Reply(text="one two three", input_tokens=500, output_tokens=42))

    for _ in oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True):
        gc.collect()  # the stream object itself is garbage by now: only the loop's iterator is alive

    a = only_span(spans).attributes
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (500, 42)
    assert "agentcost.usage.estimated" not in a


def test_stream_dropped_before_it_is_read_ends_its_span(spans, llm, oai):
    llm.enqueue(Reply(text="never read", input_tokens=300, output_tokens=90))

    oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    gc.collect()

    span = only_span(spans)
    assert span.end_time is not None and span.attributes["agentcost.usage.estimated"] is True


def test_stream_abandoned_by_break_ends_its_span_with_estimated_usage(spans, llm, oai):
    llm.enqueue(Reply(text="a long answer " * 20, input_tokens=300, output_tokens=90))

    stream = oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    for _ in stream:
        break
    del stream
    gc.collect()

    span = only_span(spans)
    assert span.end_time is not None
    assert span.attributes["agentcost.usage.estimated"] is True
    assert span.attributes["gen_ai.usage.input_tokens"] > 0
    assert span.status.status_code is StatusCode.UNSET


def test_stream_left_by_with_block_and_closed_stream_end_their_spans(spans, llm, oai):
    with oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True) as stream:
        next(iter(stream))
    stream = oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    stream.close()

    assert [s.end_time is not None for s in llm_spans(spans)] == [True, True]


def test_async_create_and_stream(spans, llm, aoai):
    async def run():
        llm.enqueue(Reply(input_tokens=11, output_tokens=7), Reply(input_tokens=13, output_tokens=9))
        await aoai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        stream = await aoai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
        return [chunk async for chunk in stream]

    chunks = asyncio.run(run())

    assert all(c.usage is None for c in chunks)
    usage = sorted(
        (s.attributes["gen_ai.usage.input_tokens"], s.attributes["gen_ai.usage.output_tokens"])
        for s in llm_spans(spans)
    )
    assert usage == [(11, 7), (13, 9)]


def test_http_error_reaches_caller_unchanged_and_marks_the_span(spans, llm, oai):
    llm.enqueue(Reply(status=400, error_type="invalid_request_error"))

    with pytest.raises(openai.BadRequestError) as raised:
        oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    assert raised.value.status_code == 400
    span = only_span(spans)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == "400"
    assert "gen_ai.usage.input_tokens" not in span.attributes


def test_retried_server_errors_make_one_span_for_the_call(spans, llm, oai):
    llm.enqueue(
        Reply(status=503, error_type="overloaded", headers={"retry-after": "0"}),
        Reply(status=429, error_type="rate_limit_exceeded", headers={"retry-after": "0"}),
        Reply(input_tokens=20, output_tokens=5),
    )

    oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    assert len(llm.requests) == 3
    span = only_span(spans)
    assert span.status.status_code is StatusCode.UNSET
    assert span.attributes["gen_ai.usage.input_tokens"] == 20


def test_malformed_body_fails_exactly_as_without_instrumentation(spans, llm, oai):
    AgentCostInstrumentor().uninstrument()
    llm.enqueue(Reply(malformed=True))
    with pytest.raises(Exception) as bare:
        oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    AgentCostInstrumentor().instrument()
    llm.enqueue(Reply(malformed=True))

    with pytest.raises(Exception) as instrumented:
        oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    assert type(instrumented.value) is type(bare.value)
    assert str(instrumented.value) == str(bare.value)
    assert only_span(spans).status.status_code is StatusCode.ERROR


def test_missing_usage_is_estimated_and_flagged(spans, llm, oai):
    llm.enqueue(Reply(text="x" * 400, omit_usage=True))

    oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    a = only_span(spans).attributes
    assert a["agentcost.usage.estimated"] is True
    assert a["gen_ai.usage.input_tokens"] > 0
    assert a["gen_ai.usage.output_tokens"] == 0  # nothing streamed: only a stream's text is counted


def test_unknown_model_costs_nothing_and_is_flagged(spans, llm, oai):
    llm.enqueue(Reply(input_tokens=10, output_tokens=10))

    oai.chat.completions.create(model="house-model-7b", messages=MESSAGES)

    a = only_span(spans).attributes
    assert (a["agentcost.cost.usd"], a["agentcost.cost.source"]) == (0.0, "unpriced")


def test_provider_reported_cost_overrides_the_price_table(spans, llm, oai):
    llm.enqueue(Reply(input_tokens=1000, output_tokens=100, cost_usd=0.0123))

    oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    a = only_span(spans).attributes
    assert (a["agentcost.cost.usd"], a["agentcost.cost.source"]) == (0.0123, "provider")


def test_responses_api_plain_and_streaming(spans, llm, oai):
    llm.enqueue(
        Reply(input_tokens=400, output_tokens=50, cached_tokens=200, reasoning_tokens=30),
        Reply(text="streamed answer", input_tokens=40, output_tokens=6),
    )

    response = oai.responses.create(model="gpt-4o-mini", input="summarise the backlog")
    events = list(oai.responses.create(model="gpt-4o-mini", input="again", stream=True))

    assert events[-1].type == "response.completed"
    plain, streamed = sorted(llm_spans(spans), key=lambda s: s.start_time)
    assert plain.attributes["gen_ai.response.id"] == response.id
    assert plain.attributes["gen_ai.usage.cache_read.input_tokens"] == 200
    assert plain.attributes["gen_ai.usage.reasoning.output_tokens"] == 30
    assert plain.attributes["gen_ai.response.finish_reasons"] == ("completed",)
    assert (streamed.attributes["gen_ai.usage.input_tokens"], streamed.attributes["gen_ai.usage.output_tokens"]) == (
        40,
        6,
    )


def test_embeddings_count_input_tokens(spans, llm, oai):
    llm.enqueue(Reply(input_tokens=64))

    oai.embeddings.create(model="text-embedding-3-small", input=["triage notes"])

    span = only_span(spans)
    assert span.name == "embeddings text-embedding-3-small"
    assert span.attributes["gen_ai.usage.input_tokens"] == 64
    assert span.attributes["agentcost.cost.usd"] == pytest.approx(expected_cost("text-embedding-3-small", 64, 0))


class Verdict(BaseModel):
    claimable: bool


def test_parse_with_a_response_format(spans, llm, oai):
    llm.enqueue(Reply(text='{"claimable": false}', input_tokens=30, output_tokens=8))

    parsed = oai.chat.completions.parse(model="gpt-4o-mini", messages=MESSAGES, response_format=Verdict)

    assert parsed.choices[0].message.parsed == Verdict(claimable=False)
    assert only_span(spans).attributes["gen_ai.usage.output_tokens"] == 8


def test_raw_response_is_recorded_and_returned_unread(spans, llm, oai):
    llm.enqueue(Reply(input_tokens=21, output_tokens=4))

    raw = oai.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MESSAGES)

    assert raw.parse().usage.prompt_tokens == 21
    assert only_span(spans).attributes["gen_ai.usage.input_tokens"] == 21


def test_openai_compatible_provider_is_named_from_the_host(spans, llm, monkeypatch):
    client = openai.OpenAI(base_url=llm.openai_base_url.replace("127.0.0.1", "localhost"), api_key="sk-x")
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    monkeypatch.setenv("AGENTCOST_PROVIDER_NAME", "vllm")
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    names = [s.attributes["gen_ai.provider.name"] for s in sorted(llm_spans(spans), key=lambda s: s.start_time)]
    assert names == ["localhost", "vllm"]


def test_a_bug_in_recording_never_changes_what_the_caller_gets(spans, llm, oai, monkeypatch):
    def broken(call, result):
        raise RuntimeError("instrumentation bug")

    monkeypatch.setattr(openai_patch, "record_chat_completion", broken)
    AgentCostInstrumentor().uninstrument()
    AgentCostInstrumentor().instrument()
    llm.enqueue(Reply(text="still fine", input_tokens=5, output_tokens=2))

    completion = oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    assert completion.choices[0].message.content == "still fine"
    assert only_span(spans).end_time is not None


def test_a_bug_starting_the_span_lets_the_call_run_uninstrumented(spans, llm, oai, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("instrumentation bug")

    monkeypatch.setattr(openai_patch, "LLMCall", broken)
    llm.enqueue(Reply(text="no span, same answer"))

    completion = oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    assert completion.choices[0].message.content == "no span, same answer"
    assert llm_spans(spans) == []


def test_uninstrument_restores_the_sdk(spans, llm, oai):
    AgentCostInstrumentor().uninstrument()
    oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert llm_spans(spans) == []
    AgentCostInstrumentor().instrument()


def test_session_task_and_trigger_are_stamped(spans, llm, oai):
    with (
        agentcost.session("s-42", agent="pm-1", role="pm", lane="pm-trivial"),
        agentcost.task("T-7", kind="triage"),
        agentcost.trigger("reactive"),
    ):
        oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    a = only_span(spans).attributes
    assert a["agentcost.session.id"] == a["gen_ai.conversation.id"] == "s-42"
    assert (a["gen_ai.agent.name"], a["agentcost.agent.role"], a["agentcost.lane"]) == ("pm-1", "pm", "pm-trivial")
    assert (a["agentcost.task.id"], a["agentcost.task.kind"], a["agentcost.trigger"]) == ("T-7", "triage", "reactive")
