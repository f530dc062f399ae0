"""POST /v1/messages as the real anthropic SDK sees it, plain, raw-streamed and through messages.stream()."""

from __future__ import annotations

import asyncio
import json

from otel_agentcost.standin import Reply, estimate_tokens

MESSAGES = [{"role": "user", "content": "Any heartbeat alerts?"}]
SYSTEM = "You check heartbeats."
SEARCH = ("search_logs", {"query": "heartbeat", "limit": 5})
CACHED_REPLY = Reply(
    text="No alerts since 09:00.",
    model="claude-sonnet-4-20250514",
    input_tokens=5000,
    cached_tokens=4000,
    cache_write_tokens=600,
    output_tokens=250,
    reasoning_tokens=100,
)


def assert_cached_usage(usage):
    """Anthropic's input_tokens excludes the cache: 5000 in total = 400 + 4000 read + 600 written."""
    assert usage.input_tokens == 400
    assert usage.cache_read_input_tokens == 4000
    assert usage.cache_creation_input_tokens == 600
    assert usage.cache_creation.ephemeral_5m_input_tokens == 600
    assert usage.output_tokens == 250
    assert usage.output_tokens_details.thinking_tokens == 100


def create(client, **overrides):
    return client.messages.create(
        **{"model": "claude-sonnet-4", "max_tokens": 512, "messages": MESSAGES, "system": SYSTEM, **overrides}
    )


def test_message_carries_text_model_and_usage_split_from_the_cache(llm, anthropic_client):
    llm.enqueue(CACHED_REPLY)

    raw = anthropic_client.messages.with_raw_response.create(model="claude-sonnet-4", max_tokens=512, messages=MESSAGES)
    message = raw.parse()

    assert message.id.startswith("msg_01")
    assert (message.type, message.role, message.model) == ("message", "assistant", "claude-sonnet-4-20250514")
    assert [(block.type, block.text) for block in message.content] == [("text", "No alerts since 09:00.")]
    assert message.stop_reason == "end_turn"
    assert_cached_usage(message.usage)
    assert raw.headers["request-id"].startswith("req_")
    assert message._request_id == raw.headers["request-id"]


def test_unscripted_input_is_estimated_from_messages_and_system(llm, anthropic_client):
    message = create(anthropic_client)

    assert message.model == "claude-sonnet-4"
    assert message.usage.input_tokens == estimate_tokens(MESSAGES, SYSTEM)
    assert message.usage.cache_read_input_tokens == 0
    assert message.usage.output_tokens_details is None


def test_tool_calls_become_tool_use_blocks(llm, anthropic_client):
    llm.enqueue(Reply(text="", tool_calls=[SEARCH, ("page_oncall", {})]))

    message = create(anthropic_client)

    assert [(block.type, block.name, block.input) for block in message.content] == [
        ("tool_use", *SEARCH),
        ("tool_use", "page_oncall", {}),
    ]
    assert all(block.id.startswith("toolu_01") for block in message.content)
    assert message.stop_reason == "tool_use"


def test_omitted_usage_reaches_the_sdk_as_none(llm, anthropic_client):
    llm.enqueue(Reply(omit_usage=True), Reply(omit_usage=True))

    message = create(anthropic_client)
    events = list(create(anthropic_client, stream=True))

    assert message.usage is None
    assert events[0].message.usage is None
    assert [event.usage for event in events if event.type == "message_delta"] == [None]


def test_raw_stream_reports_placeholder_then_cumulative_output_tokens(llm, anthropic_client):
    llm.enqueue(
        Reply(text="all quiet here", tool_calls=[SEARCH], input_tokens=300, cached_tokens=200, output_tokens=42)
    )

    events = list(create(anthropic_client, stream=True))

    types = [event.type for event in events]
    assert types[0] == "message_start"
    assert types[-2:] == ["message_delta", "message_stop"]
    start_usage = events[0].message.usage
    assert (start_usage.input_tokens, start_usage.cache_read_input_tokens, start_usage.output_tokens) == (100, 200, 1)
    final_usage = events[-2].usage
    assert (final_usage.output_tokens, final_usage.input_tokens, final_usage.cache_read_input_tokens) == (42, 100, 200)
    assert events[-2].delta.stop_reason == "tool_use"
    text_deltas = [event.delta.text for event in events if event.type == "content_block_delta" and event.index == 0]
    json_deltas = [
        event.delta.partial_json for event in events if event.type == "content_block_delta" and event.index == 1
    ]
    assert len(text_deltas) == 3
    assert "".join(text_deltas) == "all quiet here"
    assert len(json_deltas) > 2
    assert json.loads("".join(json_deltas)) == SEARCH[1]
    blocks = [event.content_block for event in events if event.type == "content_block_start"]
    assert [(block.type, getattr(block, "name", None)) for block in blocks] == [
        ("text", None),
        ("tool_use", "search_logs"),
    ]


def test_stream_on_the_wire_names_events_and_pings(llm, anthropic_client):
    with anthropic_client.messages.with_streaming_response.create(
        model="claude-sonnet-4", max_tokens=64, messages=MESSAGES, stream=True
    ) as response:
        lines = [line for line in response.iter_lines() if line]

    names = [line.removeprefix("event: ") for line in lines[0::2]]
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert names[-1] == "message_stop"
    assert names == [json.loads(line.removeprefix("data: "))["type"] for line in lines[1::2]]


def test_stream_helper_final_message_matches_the_script(llm, anthropic_client):
    llm.enqueue(CACHED_REPLY)

    with anthropic_client.messages.stream(model="claude-sonnet-4", max_tokens=512, messages=MESSAGES) as stream:
        streamed_text = "".join(stream.text_stream)
        message = stream.get_final_message()

    assert streamed_text == "No alerts since 09:00."
    assert message.content[0].text == "No alerts since 09:00."
    assert message.stop_reason == "end_turn"
    assert_cached_usage(message.usage)


def test_stream_helper_assembles_tool_input(llm, anthropic_client):
    llm.enqueue(Reply(text="Searching.", tool_calls=[SEARCH]))

    with anthropic_client.messages.stream(model="claude-sonnet-4", max_tokens=512, messages=MESSAGES) as stream:
        message = stream.get_final_message()

    assert [block.type for block in message.content] == ["text", "tool_use"]
    assert (message.content[1].name, message.content[1].input) == SEARCH
    assert message.stop_reason == "tool_use"


def test_truncated_stream_leaves_only_the_placeholder_usage(llm, anthropic_client):
    llm.enqueue(Reply(text="never finished sentence", output_tokens=80, truncate_stream_after=4))

    with anthropic_client.messages.stream(model="claude-sonnet-4", max_tokens=512, messages=MESSAGES) as stream:
        message = stream.get_final_message()

    assert message.stop_reason is None
    assert message.usage.output_tokens == 1
    assert message.content[0].text == "never"


def test_async_client_plain_and_streamed(llm, make_async_anthropic):
    llm.enqueue(Reply(text="async plain", input_tokens=12), CACHED_REPLY)

    async def scenario():
        async with make_async_anthropic() as client:
            plain = await create(client)
            async with client.messages.stream(model="claude-sonnet-4", max_tokens=512, messages=MESSAGES) as stream:
                streamed = await stream.get_final_message()
        return plain, streamed

    plain, streamed = asyncio.run(scenario())

    assert plain.content[0].text == "async plain"
    assert plain.usage.input_tokens == 12
    assert streamed.content[0].text == "No alerts since 09:00."
    assert_cached_usage(streamed.usage)
