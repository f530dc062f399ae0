"""POST /v1/responses as the real openai SDK sees it: Response objects and the named event stream."""

from __future__ import annotations

import asyncio
import json

from otel_agentcost.standin import Reply, estimate_tokens

INPUT = [{"role": "user", "content": "Triage the inbox."}]
LOOKUP = ("lookup_ticket", {"id": "T-7"})
REASONING_REPLY = Reply(
    text="Two tickets need review.",
    input_tokens=2000,
    cached_tokens=1500,
    cache_write_tokens=100,
    output_tokens=400,
    reasoning_tokens=320,
)


def assert_reasoning_usage(usage):
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (2000, 400, 2400)
    assert usage.input_tokens_details.cached_tokens == 1500
    assert usage.input_tokens_details.cache_write_tokens == 100
    assert usage.output_tokens_details.reasoning_tokens == 320


def test_response_carries_text_usage_and_a_reasoning_item(llm, openai_client):
    llm.enqueue(REASONING_REPLY)

    response = openai_client.responses.create(model="gpt-5", input=INPUT, instructions="Be brief.")

    assert response.id.startswith("resp_")
    assert (response.object, response.status, response.model) == ("response", "completed", "gpt-5")
    assert response.output_text == "Two tickets need review."
    assert [item.type for item in response.output] == ["reasoning", "message"]
    assert response.instructions == "Be brief."
    assert_reasoning_usage(response.usage)


def test_unscripted_input_is_estimated_from_input_and_instructions(llm, openai_client):
    response = openai_client.responses.create(model="gpt-5", input=INPUT, instructions="Be brief.")

    assert response.usage.input_tokens == estimate_tokens(INPUT, "Be brief.")
    assert [item.type for item in response.output] == ["message"]


def test_tool_calls_become_function_call_items(llm, openai_client):
    llm.enqueue(Reply(text="", tool_calls=[LOOKUP, ("close", {})]))

    response = openai_client.responses.create(model="gpt-5", input=INPUT)

    assert [(item.type, item.name, json.loads(item.arguments)) for item in response.output] == [
        ("function_call", *LOOKUP),
        ("function_call", "close", {}),
    ]
    assert all(item.call_id.startswith("call_") and item.status == "completed" for item in response.output)
    assert response.output_text == ""


def test_omitted_usage_leaves_the_response_without_usage(llm, openai_client):
    llm.enqueue(Reply(omit_usage=True))

    assert openai_client.responses.create(model="gpt-5", input="hi").usage is None


def test_raw_stream_runs_the_lifecycle_events_in_order_with_sequence_numbers(llm, openai_client):
    llm.enqueue(Reply(text="alpha beta gamma", tool_calls=[LOOKUP], input_tokens=50, output_tokens=20))

    events = list(openai_client.responses.create(model="gpt-5", input=INPUT, stream=True))

    types = [event.type for event in events]
    text_deltas = types.count("response.output_text.delta")
    argument_deltas = types.count("response.function_call_arguments.delta")
    assert text_deltas == 3
    assert argument_deltas >= 2
    assert types == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * text_deltas,
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.output_item.added",
        *["response.function_call_arguments.delta"] * argument_deltas,
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [event.sequence_number for event in events] == list(range(len(events)))
    assert events[0].response.usage is None
    assert events[0].response.status == "in_progress"
    assert "".join(event.delta for event in events if event.type == "response.output_text.delta") == (
        "alpha beta gamma"
    )
    completed = events[-1].response
    assert (completed.usage.input_tokens, completed.usage.output_tokens) == (50, 20)
    assert completed.id == events[0].response.id


def test_stream_lines_name_each_event(llm, openai_client):
    with openai_client.responses.with_streaming_response.create(model="gpt-5", input="hi", stream=True) as response:
        lines = [line for line in response.iter_lines() if line]

    names = [line.removeprefix("event: ") for line in lines[0::2]]
    payload_types = [json.loads(line.removeprefix("data: "))["type"] for line in lines[1::2]]
    assert names == payload_types
    assert names[0] == "response.created"
    assert names[-1] == "response.completed"


def test_stream_helper_returns_the_final_response(llm, openai_client):
    llm.enqueue(REASONING_REPLY)

    with openai_client.responses.stream(model="gpt-5", input=INPUT) as stream:
        text_events = [event for event in stream if event.type == "response.output_text.delta"]
        response = stream.get_final_response()

    assert text_events[-1].snapshot == "Two tickets need review."
    assert response.output_text == "Two tickets need review."
    assert_reasoning_usage(response.usage)


def test_truncated_stream_never_completes(llm, openai_client):
    llm.enqueue(Reply(text="cut short here", truncate_stream_after=5))

    events = list(openai_client.responses.create(model="gpt-5", input="hi", stream=True))

    assert len(events) == 5
    assert "response.completed" not in [event.type for event in events]


def test_async_stream_helper(llm, make_async_openai):
    llm.enqueue(Reply(text="async response", tool_calls=[LOOKUP], output_tokens=9))

    async def scenario():
        async with make_async_openai() as client, client.responses.stream(model="gpt-5", input=INPUT) as stream:
            return await stream.get_final_response()

    response = asyncio.run(scenario())

    assert response.output_text == "async response"
    assert [(item.name, json.loads(item.arguments)) for item in response.output if item.type == "function_call"] == [
        LOOKUP
    ]
    assert response.usage.output_tokens == 9
