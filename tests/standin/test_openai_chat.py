"""POST /v1/chat/completions as the real openai SDK sees it, plain and streamed."""

from __future__ import annotations

import asyncio
import json

from otel_agentcost.standin import Reply, estimate_tokens

MESSAGES = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Status of T-7?"}]
WEATHER = ("get_weather", {"city": "Seattle, WA", "unit": "celsius"})
CRON = ("schedule", {"every": "30m"})


def test_completion_carries_the_scripted_text_model_and_usage(llm, openai_client):
    llm.enqueue(
        Reply(
            text="Blocked on review.",
            model="gpt-4o-2024-08-06",
            input_tokens=1200,
            cached_tokens=1000,
            output_tokens=300,
            reasoning_tokens=200,
        )
    )

    raw = openai_client.chat.completions.with_raw_response.create(model="gpt-4o", messages=MESSAGES)
    completion = raw.parse()

    assert completion.choices[0].message.content == "Blocked on review."
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "gpt-4o-2024-08-06"
    assert completion.id.startswith("chatcmpl-")
    usage = completion.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (1200, 300, 1500)
    assert usage.prompt_tokens_details.cached_tokens == 1000
    assert usage.completion_tokens_details.reasoning_tokens == 200
    assert raw.headers["x-request-id"].startswith("req_")
    assert completion._request_id == raw.headers["x-request-id"]


def test_unscripted_counts_are_estimated_from_the_request_and_the_model_is_echoed(llm, openai_client):
    completion = openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    assert completion.model == "gpt-4o-mini"
    assert completion.choices[0].message.content == "OK"
    assert completion.usage.prompt_tokens == estimate_tokens(MESSAGES)
    assert completion.usage.completion_tokens == 1
    assert completion.usage.prompt_tokens_details.cached_tokens == 0


def test_tool_calls_come_back_as_function_calls_with_json_arguments(llm, openai_client):
    llm.enqueue(Reply(text="", tool_calls=[WEATHER, CRON]))

    choice = openai_client.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices[0]

    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    calls = [(call.function.name, json.loads(call.function.arguments)) for call in choice.message.tool_calls]
    assert calls == [WEATHER, CRON]
    assert len({call.id for call in choice.message.tool_calls}) == 2


def test_provider_cost_and_cache_writes_appear_in_usage(llm, openai_client):
    llm.enqueue(Reply(input_tokens=500, cache_write_tokens=400, cost_usd=0.0123))

    usage = openai_client.chat.completions.create(model="openrouter/auto", messages=MESSAGES).usage

    assert usage.cost == 0.0123
    assert usage.prompt_tokens_details.cache_write_tokens == 400
    assert usage.prompt_tokens == 500


def test_omitted_usage_leaves_the_completion_without_usage(llm, openai_client):
    llm.enqueue(Reply(omit_usage=True))

    assert openai_client.chat.completions.create(model="gpt-4o", messages=MESSAGES).usage is None


def test_stream_with_include_usage_ends_with_a_usage_chunk_without_choices(llm, openai_client):
    llm.enqueue(Reply(text="The lane is pm-heavy today.", input_tokens=90, cached_tokens=64, output_tokens=12))

    chunks = list(
        openai_client.chat.completions.create(
            model="gpt-4o", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
        )
    )

    *content_chunks, usage_chunk = chunks
    assert content_chunks[0].choices[0].delta.role == "assistant"
    texts = [chunk.choices[0].delta.content for chunk in content_chunks[1:-1]]
    assert len(texts) > 1
    assert "".join(texts) == "The lane is pm-heavy today."
    assert content_chunks[-1].choices[0].finish_reason == "stop"
    assert all(chunk.usage is None for chunk in content_chunks)
    assert usage_chunk.choices == []
    assert (usage_chunk.usage.prompt_tokens, usage_chunk.usage.completion_tokens) == (90, 12)
    assert usage_chunk.usage.prompt_tokens_details.cached_tokens == 64
    assert len({chunk.id for chunk in chunks}) == 1


def test_stream_on_the_wire_has_null_usage_fields_and_ends_with_done(llm, openai_client):
    with openai_client.chat.completions.with_streaming_response.create(
        model="gpt-4o", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line]

    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line.removeprefix("data: ")) for line in lines[:-1]]
    assert all("usage" in chunk for chunk in chunks)
    assert [chunk["usage"] is None for chunk in chunks] == [True] * (len(chunks) - 1) + [False]


def test_stream_without_include_usage_sends_no_usage_at_all(llm, openai_client):
    with openai_client.chat.completions.with_streaming_response.create(
        model="gpt-4o", messages=MESSAGES, stream=True
    ) as response:
        lines = [line for line in response.iter_lines() if line]

    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line.removeprefix("data: ")) for line in lines[:-1]]
    assert not any("usage" in chunk for chunk in chunks)
    assert all(chunk["choices"] for chunk in chunks)


def test_stream_helper_assembles_tool_calls_and_usage(llm, openai_client):
    llm.enqueue(Reply(text="Checking.", tool_calls=[WEATHER, CRON], input_tokens=40, output_tokens=30))

    with openai_client.chat.completions.stream(
        model="gpt-4o", messages=MESSAGES, stream_options={"include_usage": True}
    ) as stream:
        argument_deltas = [event for event in stream if event.type == "tool_calls.function.arguments.delta"]
        completion = stream.get_final_completion()

    message = completion.choices[0].message
    assert message.content == "Checking."
    assert [(call.function.name, json.loads(call.function.arguments)) for call in message.tool_calls] == [
        WEATHER,
        CRON,
    ]
    assert len(argument_deltas) > 2
    assert completion.choices[0].finish_reason == "tool_calls"
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (40, 30)


def test_truncated_stream_stops_early_without_finish_or_usage(llm, openai_client):
    llm.enqueue(Reply(text="one two three four five six", truncate_stream_after=3))

    chunks = list(
        openai_client.chat.completions.create(
            model="gpt-4o", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
        )
    )

    assert len(chunks) == 3
    assert "".join(chunk.choices[0].delta.content for chunk in chunks) == "one two"
    assert all(chunk.choices[0].finish_reason is None and chunk.usage is None for chunk in chunks)


def test_async_client_plain_and_streamed(llm, make_async_openai):
    llm.enqueue(Reply(text="async plain", input_tokens=10), Reply(text="async streamed", output_tokens=4))

    async def scenario():
        async with make_async_openai() as client:
            plain = await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
            stream = await client.chat.completions.create(
                model="gpt-4o", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
            )
            chunks = [chunk async for chunk in stream]
        return plain, chunks

    plain, chunks = asyncio.run(scenario())

    assert plain.choices[0].message.content == "async plain"
    assert plain.usage.prompt_tokens == 10
    assert "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices) == "async streamed"
    assert chunks[-1].usage.completion_tokens == 4
