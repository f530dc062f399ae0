"""Messages of every SDK shape are read the same way: role, prompt text, size and a fingerprint of content only."""

from __future__ import annotations

import json

from anthropic.types import TextBlock
from openai.types.chat import ChatCompletionMessage

from otel_agentcost.attribution.messages import (
    MEDIA_CHARS,
    canonical_and_size,
    fingerprint_of,
    role_of,
    shape_of,
    shapes_of,
    size_of_value,
    text_of,
)

REPORT = "Quarterly numbers: revenue up 12%, churn flat, two enterprise deals slipped to next quarter."


def canonical_text(message):
    return canonical_and_size(message)[0]


def fingerprint(message):
    return fingerprint_of(canonical_text(message))


def test_a_plain_message_is_sized_by_its_text_and_fingerprinted_without_its_role():
    user = {"role": "user", "content": REPORT}
    assert canonical_and_size(user) == (REPORT, len(REPORT))
    assert fingerprint(user) == fingerprint({"role": "assistant", "content": REPORT})
    assert fingerprint(user) != fingerprint({"role": "user", "content": REPORT + "!"})


def test_moving_a_cache_marker_does_not_change_a_message():
    marked = {"role": "user", "content": [{"type": "text", "text": REPORT, "cache_control": {"type": "ephemeral"}}]}
    unmarked = {"role": "user", "content": [{"type": "text", "text": REPORT}]}
    assert fingerprint(marked) == fingerprint(unmarked)
    assert canonical_text(marked) == json.dumps({"content": [{"text": REPORT, "type": "text"}]}, separators=(",", ":"))


def test_an_image_counts_a_fixed_size_whatever_its_bytes_and_is_still_fingerprinted_whole():
    def screenshot(data):
        source = {"type": "base64", "media_type": "image/png", "data": data}
        return {
            "role": "user",
            "content": [{"type": "image", "source": source}, {"type": "text", "text": "what is it?"}],
        }

    large, larger = screenshot("A" * 400_000), screenshot("B" * 800_000)
    text, size = canonical_and_size(large)
    assert size == len(text) - 400_000 + MEDIA_CHARS == canonical_and_size(larger)[1]
    assert fingerprint(large) != fingerprint(larger)
    data_url = {
        "role": "user",
        "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64," + "C" * 90_000}}],
    }
    assert canonical_and_size(data_url)[1] < MEDIA_CHARS + 100


def test_sdk_models_passed_back_are_read_by_their_fields():
    reply = ChatCompletionMessage(role="assistant", content=REPORT)
    assert role_of(reply) == "assistant"
    assert text_of(reply, 100) == REPORT
    assert fingerprint(reply) == fingerprint(ChatCompletionMessage(role="assistant", content=REPORT))
    blocks = {"role": "assistant", "content": [TextBlock(type="text", text=REPORT)]}
    assert text_of(blocks, 100) == REPORT
    assert REPORT in canonical_text(blocks)


def test_prompt_text_skips_tool_results_and_is_cut_to_the_limit():
    message = {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "HEARTBEAT.md contents"},
            {"type": "text", "text": "continue"},
            {"type": "text", "text": " please"},
        ],
    }
    assert text_of(message, 100) == "continue please"
    assert text_of(message, 10) == "continue p"
    assert text_of({"role": "tool", "tool_call_id": "c1", "content": None}, 10) == ""


def test_responses_items_without_a_role_are_named_by_their_type():
    assert role_of({"type": "function_call_output", "call_id": "c1", "output": "done"}) == "function_call_output"
    assert role_of({"role": "developer", "content": "rules"}) == "developer"


def test_shape_changes_when_a_tool_result_is_pruned_and_not_when_nothing_changed():
    def result(text):
        return {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": text}]}

    assert shape_of(result("x" * 500)) == shape_of(result("y" * 500))  # shapes are lengths, not content
    assert shape_of(result("x" * 500)) != shape_of(result("[pruned]"))
    messages = [{"role": "user", "content": REPORT}, result("x" * 500), ChatCompletionMessage(role="assistant")]
    assert shapes_of(messages) == [shape_of(message) for message in messages]


def test_standing_parts_are_sized_like_messages():
    tools = [{"name": "shell", "input_schema": {"type": "object"}, "cache_control": {"type": "ephemeral"}}]
    assert size_of_value("You are an agent.") == len("You are an agent.")
    assert size_of_value(tools) == len('[{"input_schema":{"type":"object"},"name":"shell"}]')
    assert size_of_value(None) == 0
