"""Faults a test can script on the wire: usage of the wrong types in every usage object, and a verbatim body."""

from __future__ import annotations

import json

import httpx2
import pytest

from otel_agentcost.standin import Reply

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
MESSAGE = {"model": "claude-sonnet-4", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}
GARBLED = {"input_tokens": "12", "output_tokens": None, "cache_read_input_tokens": -5}


def post(llm, path, body):
    return httpx2.post(llm.url + path, json=body, timeout=10)


def data_events(text):
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: {")]


def test_usage_fields_are_written_over_the_usage_of_a_whole_reply(llm):
    llm.enqueue(Reply(input_tokens=40, output_tokens=7, usage_fields={"prompt_tokens": "forty", "cost": [1]}))

    usage = post(llm, "/v1/chat/completions", CHAT).json()["usage"]

    assert usage["prompt_tokens"] == "forty"
    assert usage["cost"] == [1]
    assert usage["completion_tokens"] == 7  # fields not named stay as rendered


def test_usage_fields_reach_every_usage_object_of_a_stream(llm):
    llm.enqueue(Reply(text="a b c", usage_fields=GARBLED))

    events = data_events(post(llm, "/v1/messages", {**MESSAGE, "stream": True}).text)

    start = next(event for event in events if event["type"] == "message_start")
    delta = next(event for event in events if event["type"] == "message_delta")
    for usage in (start["message"]["usage"], delta["usage"]):
        assert {key: usage[key] for key in GARBLED} == GARBLED
    assert events[-1] == {"type": "message_stop"}  # the rest of the stream is intact


@pytest.mark.parametrize(("stream", "media_type"), [(False, "application/json"), (True, "text/event-stream")])
def test_a_raw_body_is_sent_verbatim(llm, stream, media_type):
    body = 'data: {"type": "message_start"}\n\n' if stream else '{"id": 3, "choices": "none"}'
    llm.enqueue(Reply(raw_body=body))

    response = post(llm, "/v1/messages", {**MESSAGE, "stream": stream})

    assert response.status_code == 200
    assert response.text == body
    assert response.headers["content-type"].startswith(media_type)
