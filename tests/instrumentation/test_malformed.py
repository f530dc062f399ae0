"""Malformed provider replies, sent by the stand-in server to the real SDKs: the caller gets exactly what the
uninstrumented SDK gives (the same result, or the same exception at the same point of a stream), the span is
ended once with what is known (error status when the call failed), and no garbled value becomes a token count."""

from __future__ import annotations

import contextlib
import gc
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import anthropic
import openai
import pytest
from opentelemetry.trace import StatusCode

from otel_agentcost import AgentCostInstrumentor
from otel_agentcost.instrumentation import content
from otel_agentcost.standin import Reply
from tests.instrumentation.conftest import llm_spans
from tests.tracing import global_provider

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "status?"}]}
MESSAGE = {"model": "claude-sonnet-4-6", "max_tokens": 64, "messages": [{"role": "user", "content": "status?"}]}
# Keys whose values the stand-in makes up afresh for every reply.
VOLATILE = frozenset(
    {"id", "created", "created_at", "completed_at", "system_fingerprint", "item_id", "call_id", "_request_id"}
)

MESSAGE_START = (
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",'
    '"model":"claude-sonnet-4-6","content":[],"stop_reason":null,"usage":{"input_tokens":9,"output_tokens":1}}}\n\n'
)


@dataclass(frozen=True)
class Case:
    client: str  # "openai", "anthropic" (its own tracing off: our span) or "anthropic_sdk" (its own span)
    call: Callable[[Any], Any]
    reply: Reply


def chat(client: Any) -> Any:
    return client.chat.completions.create(**CHAT)


def chat_stream(client: Any) -> Any:
    return client.chat.completions.create(**CHAT, stream=True)


def chat_stream_with_usage(client: Any) -> Any:
    return client.chat.completions.create(**CHAT, stream=True, stream_options={"include_usage": True})


def responses(client: Any) -> Any:
    return client.responses.create(model="gpt-4o-mini", input="status?")


def responses_stream(client: Any) -> Any:
    return client.responses.create(model="gpt-4o-mini", input="status?", stream=True)


def messages(client: Any) -> Any:
    return client.messages.create(**MESSAGE)


def messages_stream(client: Any) -> Any:
    return client.messages.create(**MESSAGE, stream=True)


def messages_helper(client: Any) -> Any:
    with client.messages.stream(**MESSAGE) as stream:
        return [stream.get_final_message()]


GARBLED_CHAT_USAGE = {
    "prompt_tokens": "12",
    "completion_tokens": None,
    "prompt_tokens_details": "cached",
    "completion_tokens_details": [1],
    "cost": "free",
}
ABSURD_CHAT_USAGE = {"prompt_tokens": -5, "completion_tokens": 2**70, "cost": float("-1")}
GARBLED_ANTHROPIC_USAGE = {"input_tokens": "12", "output_tokens": None, "cache_read_input_tokens": -3}

CASES = {
    # --- OpenAI chat completions, whole ---
    "chat usage of wrong types": Case("openai", chat, Reply(usage_fields=GARBLED_CHAT_USAGE)),
    "chat negative and overflowing counts": Case("openai", chat, Reply(usage_fields=ABSURD_CHAT_USAGE)),
    "chat usage not an object": Case(
        "openai",
        chat,
        Reply(raw_body='{"id":"c","object":"chat.completion","model":"gpt-4o-mini","choices":[],"usage":[1,2]}'),
    ),
    "chat choices and model of wrong types": Case(
        "openai", chat, Reply(raw_body='{"id":7,"model":["x"],"choices":"none","usage":{"prompt_tokens":3}}')
    ),
    "chat body cut in half": Case("openai", chat, Reply(malformed=True)),
    "chat invalid JSON": Case("openai", chat, Reply(raw_body="{not json")),
    "chat JSON array": Case("openai", chat, Reply(raw_body="[1, 2]")),
    "chat JSON null": Case("openai", chat, Reply(raw_body="null")),
    "chat empty body": Case("openai", chat, Reply(raw_body="")),
    # --- OpenAI chat completions, streamed ---
    "chat stream usage of wrong types": Case("openai", chat_stream, Reply(usage_fields=GARBLED_CHAT_USAGE)),
    "chat stream stops midway": Case("openai", chat_stream, Reply(text="a b c d e f", truncate_stream_after=3)),
    # Asking for usage itself, so the instrumentation sends the same request and the cut falls at the same place.
    "chat stream first event cut": Case("openai", chat_stream_with_usage, Reply(malformed=True)),
    "chat stream invalid JSON event": Case("openai", chat_stream, Reply(raw_body="data: {oops\n\n")),
    "chat stream chunk of wrong types": Case(
        "openai",
        chat_stream,
        Reply(
            raw_body='data: {"id":5,"model":[],"choices":[{"delta":"x","finish_reason":3},7],"usage":"lots"}\n\n'
            'data: {"choices":{"delta":{}},"usage":{"prompt_tokens":-1,"completion_tokens":"2"}}\n\ndata: [DONE]\n\n'
        ),
    ),
    "chat stream error event": Case(
        "openai",
        chat_stream,
        Reply(raw_body='data: {"error":{"message":"overloaded","type":"server_error"}}\n\n'),
    ),
    # --- OpenAI Responses API ---
    "responses usage of wrong types": Case(
        "openai",
        responses,
        Reply(usage_fields={"input_tokens": "1", "output_tokens": {"n": 1}, "input_tokens_details": None}),
    ),
    "responses output of wrong types": Case(
        "openai", responses, Reply(raw_body='{"id":"r","object":"response","status":9,"output":"done","usage":5}')
    ),
    "responses stream stops midway": Case("openai", responses_stream, Reply(text="a b c", truncate_stream_after=4)),
    "responses stream usage of wrong types": Case(
        "openai", responses_stream, Reply(usage_fields={"input_tokens": [], "output_tokens": -2})
    ),
}
for client in ("anthropic", "anthropic_sdk"):
    CASES |= {
        f"{client} usage of wrong types": Case(client, messages, Reply(usage_fields=GARBLED_ANTHROPIC_USAGE)),
        f"{client} stream usage of wrong types": Case(
            client, messages_stream, Reply(usage_fields=GARBLED_ANTHROPIC_USAGE)
        ),
        f"{client} stream stops midway": Case(client, messages_stream, Reply(text="a b c", truncate_stream_after=3)),
        f"{client} stream helper stops midway": Case(
            client, messages_helper, Reply(text="a b c", truncate_stream_after=5)
        ),
        f"{client} stream error event": Case(
            client,
            messages_stream,
            Reply(
                raw_body=MESSAGE_START + 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error",'
                '"message":"Overloaded"}}\n\n'
            ),
        ),
        f"{client} stream invalid JSON event": Case(
            client, messages_stream, Reply(raw_body="event: message_start\ndata: {oops\n\n")
        ),
        f"{client} invalid JSON": Case(client, messages, Reply(raw_body="{not json")),
        f"{client} content and stop reason of wrong types": Case(
            client,
            messages,
            Reply(
                raw_body='{"id":"m","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":"hi",'
                '"stop_reason":5,"usage":{"input_tokens":"x","output_tokens":-4}}'
            ),
        ),
    }


@pytest.fixture(scope="module")
def clients(llm: Any) -> dict[str, Any]:
    """One client of each kind for the module: building one costs more than most cases here."""
    untraced = {"open_telemetry": False}
    return {
        "openai": openai.OpenAI(base_url=llm.openai_base_url, api_key="sk-test", max_retries=0),
        "anthropic": anthropic.Anthropic(base_url=llm.anthropic_base_url, api_key="k", max_retries=0, **untraced),
        "anthropic_sdk": anthropic.Anthropic(base_url=llm.anthropic_base_url, api_key="k", max_retries=0),
    }


def plain(value: Any) -> Any:
    """A comparable copy of what the caller got: models dumped, made-up ids left out."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        value = dump(warnings=False)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items() if key not in VOLATILE}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


REQUEST_ID = re.compile(r"req_[0-9A-Za-z]+")


def outcome(case: Case, client: Any) -> tuple[list[Any], tuple[type, str] | None]:
    """What the caller sees: each item it receives (the result, or each streamed item) and the exception, if any."""
    received: list[Any] = []
    try:
        result = case.call(client)
        if hasattr(result, "__next__") or isinstance(result, list):
            for item in result:
                received.append(plain(item))
        else:
            received.append(plain(result))
    except Exception as error:
        # The stand-in gives every reply its own request id, as the APIs do, and newer SDKs quote it in the message.
        return received, (type(error), REQUEST_ID.sub("req_<id>", str(error)))
    return received, None


@contextlib.contextmanager
def instrumented(provider: Any) -> Iterator[Any]:
    _, exporter = global_provider()
    instrumentor = AgentCostInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    exporter.clear()
    try:
        yield exporter
    finally:
        instrumentor.uninstrument()


def assert_counts_are_real(attributes: Any) -> None:
    for key, value in attributes.items():
        if key.startswith("gen_ai.usage.") or key.startswith("agentcost.context."):
            assert isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63, (key, value)
    cost = attributes.get("agentcost.cost.usd")
    assert cost is None or (math.isfinite(cost) and cost >= 0), cost


@pytest.mark.parametrize("name", list(CASES))
def test_a_malformed_reply_reaches_the_caller_unchanged_and_the_span_still_ends(
    name, provider, llm, clients, monkeypatch
):
    case = CASES[name]
    monkeypatch.setenv(content.CAPTURE_ENV, "true")  # the most instrumentation code in the path
    client = clients[case.client]
    llm.enqueue(case.reply)
    bare = outcome(case, client)

    with instrumented(provider) as exporter:
        llm.enqueue(case.reply)
        seen = outcome(case, client)
        gc.collect()  # a stream the SDK left unread ends its span when dropped
        found = llm_spans(exporter)

    assert seen == bare
    assert len(found) == 1, [span.name for span in found]
    span = found[0]
    if case.client == "anthropic_sdk":
        assert span.instrumentation_scope.name == "com.anthropic.sdk.python"
        return  # the SDK's own span: its status is the SDK's; only our completion of it is checked below
    assert_counts_are_real(span.attributes)
    if bare[1] is not None:
        assert span.status.status_code is StatusCode.ERROR
        assert span.attributes["error.type"]
    else:
        assert span.status.status_code is not StatusCode.ERROR


def test_garbled_usage_is_estimated_and_flagged_rather_than_recorded(provider, llm, clients):
    client = clients["openai"]

    with instrumented(provider) as exporter:
        llm.enqueue(Reply(text="x" * 40, usage_fields=GARBLED_CHAT_USAGE))
        chat(client)
        span = llm_spans(exporter)[0]

    a = span.attributes
    assert a["agentcost.usage.estimated"] is True
    assert a["gen_ai.usage.input_tokens"] > 0  # estimated from the request, not the "12" the reply sent
    assert "gen_ai.usage.cache_read.input_tokens" not in a
    assert a["agentcost.cost.source"] == "price_table"  # "free" is not a provider cost


def test_a_stream_that_stops_midway_keeps_the_input_count_it_was_sent(provider, llm, clients):
    client = clients["anthropic"]

    with instrumented(provider) as exporter:
        llm.enqueue(Reply(text="one two three four", input_tokens=321, output_tokens=50, truncate_stream_after=3))
        events = list(messages_stream(client))
        span = llm_spans(exporter)[0]

    assert events[-1].type != "message_stop"
    a = span.attributes
    assert a["gen_ai.usage.input_tokens"] == 321
    assert a["agentcost.usage.estimated"] is True
