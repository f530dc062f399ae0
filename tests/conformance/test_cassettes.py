"""Real recorded OpenAI and Anthropic exchanges (../shared/conformance/cassettes), replayed through the real SDKs:
the span's token attributes are what the recorded `usage` implies.

An extra check that `.ci/run` runs when the recordings are present (AGENTCOST_CASSETTES names their folder); the
self-contained suite does not need them. Responses are replayed through the SDK's HTTP transport.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import anthropic
import httpx2
import openai
import pytest
import yaml

from tests.tracing import instrumented_exporter  # noqa: F401 (a fixture)

pytestmark = pytest.mark.conformance

FOLDER = Path(os.environ.get("AGENTCOST_CASSETTES", Path(__file__).parents[3] / "shared/conformance/cassettes"))


def cases():
    """Every recorded exchange; Anthropic ones twice, with the SDK's own tracing on and off (openai has none)."""
    for path in sorted(FOLDER.glob("*.yaml")):
        for n, interaction in enumerate(yaml.safe_load(path.read_text())["interactions"]):
            modes = (True, False) if "anthropic.com" in interaction["request"]["uri"] else (True,)
            for sdk_tracing in modes:
                yield pytest.param(interaction, sdk_tracing, id=f"{path.stem}-{n}-sdk_tracing={sdk_tracing}")


def response_bytes(response) -> bytes:
    body = response["body"]["string"]
    data = body if isinstance(body, bytes) else body.encode()
    encodings = {k.lower(): v for k, v in response["headers"].items()}.get("content-encoding") or []
    return gzip.decompress(data) if "gzip" in encodings else data


def sse_data(text: str) -> list[dict]:
    return [
        json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:") and line[5:].strip() != "[DONE]"
    ]


def expected_usage(vendor: str, body: bytes, streamed: bool) -> tuple[int, int, int | None]:
    """(input incl. cache, output, cache read) computed from the recorded body, independently of the code."""
    text = body.decode()
    if vendor == "openai":
        usage = next(c["usage"] for c in sse_data(text) if c.get("usage")) if streamed else json.loads(text)["usage"]
        cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens")
        return usage["prompt_tokens"], usage["completion_tokens"], cached
    if streamed:
        events = sse_data(text)
        usage = next(e["message"]["usage"] for e in events if e["type"] == "message_start")
        output = [e["usage"]["output_tokens"] for e in events if e["type"] == "message_delta"][-1]
    else:
        usage = json.loads(text)["usage"]
        output = usage["output_tokens"]
    read, write = usage.get("cache_read_input_tokens") or 0, usage.get("cache_creation_input_tokens") or 0
    return usage["input_tokens"] + read + write, output, usage.get("cache_read_input_tokens")


def replaying(interaction) -> httpx2.Client:
    response = interaction["response"]
    body = response_bytes(response)
    headers = {k: v[0] for k, v in response["headers"].items() if k.lower() in ("content-type", "request-id")}
    headers.setdefault(
        "content-type", "text/event-stream" if body.startswith((b"data:", b"event:")) else "application/json"
    )
    return httpx2.Client(
        transport=httpx2.MockTransport(lambda request: httpx2.Response(200, content=body, headers=headers))
    )


@pytest.fixture
def exporter(instrumented_exporter):  # noqa: F811 (the imported fixture, under this file's name)
    return instrumented_exporter


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize(("interaction", "sdk_tracing"), list(cases()))
def test_recorded_usage_becomes_span_attributes(exporter, interaction, sdk_tracing):
    request = json.loads(interaction["request"]["body"])
    vendor = "openai" if "openai.com" in interaction["request"]["uri"] else "anthropic"
    streamed = request.get("stream") is True
    if vendor == "openai":
        client = openai.OpenAI(api_key="sk-replay", http_client=replaying(interaction), max_retries=0)
        result = client.chat.completions.create(**request)
    else:
        client = anthropic.Anthropic(
            api_key="replay",
            http_client=replaying(interaction),
            max_retries=0,
            open_telemetry=None if sdk_tracing else False,
        )
        result = client.messages.create(**request)
    if streamed:
        for _ in result:
            pass

    spans = [s for s in exporter.get_finished_spans() if "gen_ai.operation.name" in s.attributes]
    assert len(spans) == 1
    a = spans[0].attributes
    input_tokens, output_tokens, cache_read = expected_usage(vendor, response_bytes(interaction["response"]), streamed)
    assert a["gen_ai.usage.input_tokens"] == input_tokens
    assert a["gen_ai.usage.output_tokens"] == output_tokens
    if cache_read is not None:
        assert a["gen_ai.usage.cache_read.input_tokens"] == cache_read
    assert a["agentcost.cost.source"] in ("price_table", "unpriced")
