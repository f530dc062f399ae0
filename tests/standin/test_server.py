"""The server around the endpoints: reply queue, recording, errors in each vendor's format, retries, faults."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import anthropic
import httpx2
import openai
import pytest

from otel_agentcost.standin import Reply, StandinLLM

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
MESSAGE = {"model": "claude-sonnet-4", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}

OPENAI_ERRORS = [
    (400, openai.BadRequestError, "invalid_request_error"),
    (401, openai.AuthenticationError, "invalid_request_error"),
    (403, openai.PermissionDeniedError, "invalid_request_error"),
    (404, openai.NotFoundError, "invalid_request_error"),
    (422, openai.UnprocessableEntityError, "invalid_request_error"),
    (429, openai.RateLimitError, "requests"),
    (500, openai.InternalServerError, "server_error"),
    (503, openai.InternalServerError, "server_error"),
]
ANTHROPIC_ERRORS = [
    (400, anthropic.BadRequestError, "invalid_request_error"),
    (401, anthropic.AuthenticationError, "authentication_error"),
    (403, anthropic.PermissionDeniedError, "permission_error"),
    (404, anthropic.NotFoundError, "not_found_error"),
    (413, anthropic.RequestTooLargeError, "request_too_large"),
    (429, anthropic.RateLimitError, "rate_limit_error"),
    (500, anthropic.InternalServerError, "api_error"),
    (529, anthropic.OverloadedError, "overloaded_error"),
]


def test_replies_are_used_in_order_across_endpoints_then_the_default(llm, openai_client, anthropic_client):
    llm.enqueue(Reply(text="first"), Reply(text="second"))

    first = anthropic_client.messages.create(**MESSAGE).content[0].text
    second = openai_client.chat.completions.create(**CHAT).choices[0].message.content
    third = openai_client.chat.completions.create(**CHAT).choices[0].message.content

    assert (first, second, third) == ("first", "second", "OK")


def test_every_request_is_recorded_with_lowercased_headers_and_parsed_body(llm, openai_client):
    openai_client.chat.completions.create(**CHAT, extra_headers={"X-Session-Key": "s-42"})

    [recorded] = llm.requests
    assert (recorded.method, recorded.path) == ("POST", "/v1/chat/completions")
    assert recorded.headers["x-session-key"] == "s-42"
    assert recorded.headers["authorization"] == "Bearer sk-test"
    assert recorded.body == CHAT


def test_clear_forgets_requests_and_queued_replies(llm, openai_client):
    llm.enqueue(Reply(text="stale"))
    openai_client.chat.completions.create(**CHAT)
    llm.enqueue(Reply(text="stale too"))

    llm.clear()

    assert llm.requests == []
    assert openai_client.chat.completions.create(**CHAT).choices[0].message.content == "OK"


@pytest.mark.parametrize(("status", "exception", "error_type"), OPENAI_ERRORS)
def test_openai_errors_surface_as_the_sdk_exception_with_the_openai_envelope(
    llm, openai_client, status, exception, error_type
):
    llm.enqueue(Reply(status=status))

    with pytest.raises(exception) as raised:
        openai_client.chat.completions.create(**CHAT)

    assert raised.value.status_code == status
    assert raised.value.type == error_type
    assert set(raised.value.body) == {"message", "type", "param", "code"}
    assert raised.value.request_id.startswith("req_")


@pytest.mark.parametrize(("status", "exception", "error_type"), ANTHROPIC_ERRORS)
def test_anthropic_errors_surface_as_the_sdk_exception_with_the_anthropic_envelope(
    llm, anthropic_client, status, exception, error_type
):
    llm.enqueue(Reply(status=status))

    with pytest.raises(exception) as raised:
        anthropic_client.messages.create(**MESSAGE)

    body = raised.value.body
    assert raised.value.status_code == status
    assert (body["type"], body["error"]["type"]) == ("error", error_type)
    assert body["request_id"] == raised.value.request_id == raised.value.response.headers["request-id"]


def test_a_scripted_error_type_replaces_the_default(llm, openai_client, anthropic_client):
    llm.enqueue(Reply(status=429, error_type="insufficient_quota"), Reply(status=400, error_type="billing_error"))

    with pytest.raises(openai.RateLimitError) as openai_raised:
        openai_client.chat.completions.create(**CHAT)
    with pytest.raises(anthropic.BadRequestError) as anthropic_raised:
        anthropic_client.messages.create(**MESSAGE)

    assert openai_raised.value.type == "insufficient_quota"
    assert anthropic_raised.value.body["error"]["type"] == "billing_error"


def test_streaming_requests_get_errors_before_any_event(llm, openai_client):
    llm.enqueue(Reply(status=500))

    with pytest.raises(openai.InternalServerError):
        openai_client.chat.completions.create(**CHAT, stream=True)


def test_openai_retries_a_429_with_retry_after_zero_then_succeeds(llm, openai_client):
    llm.enqueue(Reply(status=429, headers={"retry-after": "0"}), Reply(text="after the retry"))

    completion = openai_client.with_options(max_retries=2).chat.completions.create(**CHAT)

    assert completion.choices[0].message.content == "after the retry"
    assert [request.headers["x-stainless-retry-count"] for request in llm.requests] == ["0", "1"]


def test_anthropic_retries_an_overloaded_529_then_succeeds(llm, anthropic_client):
    llm.enqueue(Reply(status=529, headers={"retry-after-ms": "1"}), Reply(text="after the retry"))

    message = anthropic_client.with_options(max_retries=2).messages.create(**MESSAGE)

    assert message.content[0].text == "after the retry"
    assert len(llm.requests) == 2


def test_scripted_headers_reach_the_client(llm, openai_client):
    llm.enqueue(Reply(headers={"x-ratelimit-remaining-tokens": "42"}))

    raw = openai_client.chat.completions.with_raw_response.create(**CHAT)

    assert raw.headers["x-ratelimit-remaining-tokens"] == "42"


def test_malformed_bodies_raise_in_both_sdks(llm, openai_client, anthropic_client):
    llm.enqueue(Reply(malformed=True), Reply(malformed=True))

    with pytest.raises(json.JSONDecodeError):
        openai_client.chat.completions.create(**CHAT)
    with pytest.raises(json.JSONDecodeError):
        anthropic_client.messages.create(**MESSAGE)


def test_malformed_stream_raises_while_iterating(llm, openai_client, anthropic_client):
    llm.enqueue(Reply(malformed=True), Reply(malformed=True))

    with pytest.raises(json.JSONDecodeError):
        list(openai_client.chat.completions.create(**CHAT, stream=True))
    with pytest.raises(json.JSONDecodeError):
        list(anthropic_client.messages.create(**MESSAGE, stream=True))


def test_a_delay_longer_than_the_client_timeout_times_out(llm, openai_client):
    llm.enqueue(Reply(delay_s=0.5))

    with pytest.raises(openai.APITimeoutError):
        openai_client.with_options(timeout=httpx2.Timeout(10, read=0.05)).chat.completions.create(**CHAT)

    # The server may see the abandoned request late; let it take its reply before the next test enqueues.
    deadline = time.monotonic() + 10
    while not llm.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(llm.requests) == 1


def test_a_request_without_model_gets_the_vendor_400_and_keeps_the_reply(llm, openai_client, anthropic_client):
    llm.enqueue(Reply(text="kept"))

    with pytest.raises(openai.BadRequestError, match="`model`"):
        openai_client.post("/chat/completions", body={"messages": []}, cast_to=object)
    with pytest.raises(anthropic.BadRequestError, match="`model`"):
        anthropic_client.post("/v1/messages", body={"messages": []}, cast_to=object)

    assert openai_client.chat.completions.create(**CHAT).choices[0].message.content == "kept"


def test_an_unknown_path_is_a_404_naming_the_served_endpoints(llm, openai_client):
    with pytest.raises(openai.NotFoundError, match="POST /v1/chat/completions") as raised:
        openai_client.models.list()

    assert "GET /v1/models" in str(raised.value)
    assert llm.requests[-1].path == "/v1/models"


def test_concurrent_requests_each_get_exactly_one_reply(llm, make_async_openai):
    texts = [f"reply {number}" for number in range(20)]
    llm.enqueue(*(Reply(text=text) for text in texts))

    async def scenario():
        async with make_async_openai() as client:
            calls = [client.chat.completions.create(**CHAT) for _ in texts]
            return [completion.choices[0].message.content for completion in await asyncio.gather(*calls)]

    assert sorted(asyncio.run(scenario())) == sorted(texts)
    assert len(llm.requests) == 20


def test_enqueue_rejects_anything_but_replies(llm):
    with pytest.raises(TypeError, match="Reply objects, got dict"):
        llm.enqueue({"text": "hi"})


def test_url_needs_a_running_server_and_each_server_gets_its_own_port():
    server = StandinLLM()
    with pytest.raises(RuntimeError, match="start"):
        _ = server.url

    with server, StandinLLM() as other:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.url != other.url
        assert server.openai_base_url == server.url + "/v1"
        assert server.anthropic_base_url == server.url
        with pytest.raises(RuntimeError, match="already running"):
            server.start()
        port = int(server.url.rsplit(":", 1)[1])

    with pytest.raises(RuntimeError):
        _ = server.url
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
