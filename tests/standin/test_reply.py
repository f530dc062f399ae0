"""Scripting replies: inconsistent scripts fail where they are written, and unscripted counts are estimated."""

from __future__ import annotations

import pytest

from otel_agentcost.standin import Reply, estimate_tokens
from otel_agentcost.standin.reply import Usage


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"input_tokens": -1}, "input_tokens=-1"),
        ({"output_tokens": 2.5}, "output_tokens=2.5"),
        ({"cached_tokens": True}, "cached_tokens=True"),
        ({"truncate_stream_after": -3}, "truncate_stream_after=-3"),
        ({"input_tokens": 10, "cached_tokens": 8, "cache_write_tokens": 5}, "cache reads and writes included"),
        ({"output_tokens": 10, "reasoning_tokens": 11}, "output_tokens includes reasoning"),
        ({"status": 302}, "status=302"),
        ({"error_type": "rate_limit_error"}, "needs an error status"),
        ({"status": 500, "malformed": True}, "malformed=True only applies to a 200"),
        ({"delay_s": -0.1}, "delay_s=-0.1"),
        ({"tool_calls": [("search", "not a dict")]}, "tool_calls entry"),
        ({"raw_body": "{}", "malformed": True}, "raw_body is sent as it is"),
        ({"raw_body": "{}", "status": 500}, "raw_body is sent as it is"),
        ({"usage_fields": {"prompt_tokens": "1"}, "omit_usage": True}, "drop one of them"),
    ],
)
def test_inconsistent_replies_are_rejected_naming_the_field(fields, named):
    with pytest.raises(ValueError, match="invalid Reply") as raised:
        Reply(**fields)

    assert named in str(raised.value)


def test_estimate_is_a_quarter_of_the_json_length_per_part():
    assert estimate_tokens("abcdef") == 2  # '"abcdef"' is 8 characters
    assert estimate_tokens([{"role": "user", "content": "hi"}], "sys") == 9 + 2


def test_unscripted_input_never_falls_below_the_scripted_cache():
    usage = Usage.resolve(Reply(cached_tokens=500, cache_write_tokens=20), ["tiny"])

    assert usage.input_tokens == 520
    assert usage.uncached_input_tokens == 0


def test_unscripted_output_counts_text_tool_calls_and_reasoning():
    reply = Reply(text="12345678", tool_calls=[("f", {})], reasoning_tokens=7)

    usage = Usage.resolve(reply, [])

    assert usage.output_tokens == 3 + 7  # "12345678" + "f{}" is 11 characters
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens


def test_scripted_counts_are_kept_as_given():
    usage = Usage.resolve(Reply(input_tokens=100, output_tokens=0, cached_tokens=60, cache_write_tokens=40), ["x"])

    assert (usage.input_tokens, usage.uncached_input_tokens, usage.output_tokens) == (100, 0, 0)
