"""Fuzzing the response readers with hypothesis: whatever a provider sends, built into the SDKs' own response types
the way the SDKs build them (without validation) or left as plain JSON, the readers never raise, and the span ends
with only real counts and valid JSON content. Derandomized with a fixed budget, so CI runs the same cases in seconds.
"""

from __future__ import annotations

import json
import math
from typing import Any

import anthropic._models
import openai._models
from anthropic.types import Message, RawMessageStreamEvent
from anthropic.types import Usage as AnthropicUsage
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openai.types import CompletionUsage, CreateEmbeddingResponse
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseCreatedEvent,
    ResponseFailedEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseIncompleteEvent,
    ResponseTextDeltaEvent,
    ResponseUsage,
)
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from otel_agentcost.instrumentation.anthropic import content as anthropic_content
from otel_agentcost.instrumentation.anthropic.usage import MessageEventObserver, message_usage, record_message
from otel_agentcost.instrumentation.llm_call import CallSettings, LLMCall, Usage
from otel_agentcost.instrumentation.openai import content as openai_content
from otel_agentcost.instrumentation.openai.streaming import ChatChunkObserver, ResponseEventObserver
from otel_agentcost.instrumentation.openai.usage import (
    chat_usage,
    embeddings_usage,
    record_chat_completion,
    record_embeddings,
    record_response,
    responses_usage,
)
from otel_agentcost.pricing import PriceTable
from otel_agentcost.processor import Attribution

FUZZ = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# The field names and type tags the readers look for, so that generated bodies reach past the first lookup.
# fmt: off
KEYS = (
    "usage", "choices", "delta", "content", "tool_calls", "function", "arguments", "finish_reason", "message", "id",
    "model", "type", "text", "partial_json", "thinking", "stop_reason", "status", "incomplete_details", "reason",
    "output", "response", "summary", "role", "input", "tool_use_id", "name", "refusal", "prompt_tokens",
    "completion_tokens", "total_tokens", "prompt_tokens_details", "cached_tokens", "completion_tokens_details",
    "reasoning_tokens", "input_tokens", "output_tokens", "input_tokens_details", "output_tokens_details",
    "thinking_tokens", "cache_read_input_tokens", "cache_creation_input_tokens", "cost", "call_id",
)
TYPES = (
    "message_start", "content_block_delta", "message_delta", "message_stop", "text", "tool_use", "tool_result",
    "thinking", "response.created", "response.completed", "response.incomplete", "response.failed",
    "response.output_text.delta", "response.function_call_arguments.delta", "message", "function_call",
    "function_call_output", "reasoning", "output_text", "input_text", "refusal", "image_url",
)
# fmt: on

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(TYPES)
    | st.text(max_size=6)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.just("type"), inner, max_size=6)
    ),
    max_leaves=12,
)
bodies = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=8) | json_values
# Stream events: a type tag and the fields the observers read.
EVENT_FIELDS = ("delta", "usage", "message", "response", "choices", "content_block", "id", "model", "index")
events = st.fixed_dictionaries({"type": st.sampled_from(TYPES)}, optional={key: json_values for key in EVENT_FIELDS})
# The Responses API event types the observer reads; constructing through the SDK's whole event union is slow.
RESPONSE_EVENTS = {
    "response.created": ResponseCreatedEvent,
    "response.completed": ResponseCompletedEvent,
    "response.incomplete": ResponseIncompleteEvent,
    "response.failed": ResponseFailedEvent,
    "response.output_text.delta": ResponseTextDeltaEvent,
    "response.function_call_arguments.delta": ResponseFunctionCallArgumentsDeltaEvent,
}


def as_sdk(build: Any, value: Any, type_: Any) -> Any:
    """`value` as the SDK would hand it over: its response type, constructed without validation."""
    try:
        return build(value=value, type_=type_)
    except Exception:
        return value  # a shape the SDK cannot even construct reaches us as it came


def openai_model(value: Any, type_: Any) -> Any:
    return as_sdk(openai._models.construct_type, value, type_)


def anthropic_model(value: Any, type_: Any) -> Any:
    return as_sdk(anthropic._models.construct_type, value, type_)


_exporter = InMemorySpanExporter()
_provider = TracerProvider()
_provider.add_span_processor(SimpleSpanProcessor(_exporter))
SETTINGS = CallSettings(
    tracer=_provider.get_tracer("fuzz"),
    prices=PriceTable.bundled(),
    attribution=Attribution(environ={}),
    capture_content=True,
)


def new_call(stream: bool = False) -> LLMCall:
    _exporter.clear()
    return LLMCall(
        SETTINGS, operation="chat", provider="openai", model="gpt-4o-mini", stream=stream, request_payload="x"
    )


def ended_attributes(call: LLMCall) -> dict[str, Any]:
    call.finish()
    (span,) = _exporter.get_finished_spans()
    return dict(span.attributes or {})


def assert_span_is_sound(attributes: dict[str, Any]) -> None:
    for key, value in attributes.items():
        if key.startswith("gen_ai.usage."):
            assert isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63, (key, value)
        if key.startswith("gen_ai.") and key.endswith(("messages", "instructions")):
            assert isinstance(json.loads(value), list)
    cost = attributes["agentcost.cost.usd"]
    assert math.isfinite(cost) and cost >= 0


def assert_usage_is_sound(usage: Usage | None) -> None:
    if usage is None:
        return
    for count in (usage.input_tokens, usage.output_tokens, usage.cache_read_tokens, usage.reasoning_tokens):
        assert count is None or (type(count) is int and 0 <= count < 2**63)
    cost = usage.provider_cost_usd
    assert cost is None or (math.isfinite(cost) and cost >= 0)


@FUZZ
@given(value=json_values)
def test_usage_readers_return_only_real_counts(value):
    for read in (chat_usage, responses_usage, embeddings_usage, message_usage):
        assert_usage_is_sound(read(value))
    assert_usage_is_sound(chat_usage(openai_model(value, CompletionUsage)))
    assert_usage_is_sound(responses_usage(openai_model(value, ResponseUsage)))
    assert_usage_is_sound(message_usage(anthropic_model(value, AnthropicUsage)))


@FUZZ
@given(body=bodies)
def test_whole_openai_replies_never_break_the_span(body):
    for record, type_ in (
        (record_chat_completion, ChatCompletion),
        (record_response, Response),
        (record_embeddings, CreateEmbeddingResponse),
    ):
        for reply in (body, openai_model(body, type_)):
            call = new_call()
            record(call, reply)
            assert_span_is_sound(ended_attributes(call))


@FUZZ
@given(body=bodies)
def test_whole_anthropic_replies_never_break_the_span(body):
    for reply in (body, anthropic_model(body, Message)):
        call = new_call()
        record_message(call, reply)
        assert_span_is_sound(ended_attributes(call))


def observe_stream(observer: Any, sdk_items: list[Any]) -> None:
    """Every item through the observer (which must say whether to pass it on, never raise), then the span's end."""
    for item in sdk_items:
        assert observer.observe(item) in (True, False)
    assert_span_is_sound(ended_attributes(observer._call))


def response_event(item: dict[str, Any]) -> Any:
    event_type = RESPONSE_EVENTS.get(item["type"])
    return openai_model(item, event_type) if event_type else item


@FUZZ
@given(items=st.lists(bodies | events, max_size=5), hide=st.booleans())
def test_openai_chat_streams_never_break_the_span(items, hide):
    observer = ChatChunkObserver(new_call(stream=True), hide_usage_chunk=hide)
    observe_stream(observer, [openai_model(item, ChatCompletionChunk) for item in items])


@FUZZ
@given(items=st.lists(events, max_size=5))
def test_openai_response_streams_never_break_the_span(items):
    observe_stream(ResponseEventObserver(new_call(stream=True)), [response_event(item) for item in items])


@FUZZ
@given(items=st.lists(events, max_size=5))
def test_anthropic_streams_never_break_the_span(items):
    sdk_events = [anthropic_model(item, RawMessageStreamEvent) for item in items]
    observe_stream(MessageEventObserver(new_call(stream=True)), sdk_events)


@FUZZ
@given(request=st.dictionaries(st.sampled_from(["messages", "input", "instructions", "system"]), json_values))
def test_content_readers_of_requests_never_raise(request):
    for read in (openai_content.chat_input, openai_content.responses_input, anthropic_content.messages_input):
        messages, system = read(request)
        json.dumps(messages, default=str)
        assert system is None or isinstance(system, list)
