"""Zero-code: `opentelemetry-instrument python agent.py` with only this package installed (no distro package)
sets up the SDK, instruments both clients and stamps the session from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from otel_agentcost.standin import Reply, StandinLLM

AGENT = Path(__file__).with_name("agent.py")


def console_spans(output: str) -> list[dict]:
    decoder, spans, at = json.JSONDecoder(), [], 0
    while (start := output.find("{", at)) != -1:
        span, at = decoder.raw_decode(output, start)
        spans.append(span)
    return spans


@pytest.fixture(scope="module")
def run():
    with StandinLLM() as llm:
        llm.enqueue(
            Reply(input_tokens=120, output_tokens=30),
            Reply(input_tokens=80, output_tokens=12),
            Reply(input_tokens=900, output_tokens=8, cached_tokens=800),
        )
        env = {
            **os.environ,
            "OTEL_TRACES_EXPORTER": "console",
            "OTEL_SERVICE_NAME": "zero-code-agent",
            "AGENTCOST_SESSION_ID": "s-zero",
            "AGENTCOST_TRIGGER": "heartbeat",
            "STANDIN_OPENAI_URL": llm.openai_base_url,
            "STANDIN_ANTHROPIC_URL": llm.anthropic_base_url,
        }
        instrument = Path(sys.executable).with_name("opentelemetry-instrument")
        result = subprocess.run(
            [str(instrument), sys.executable, str(AGENT)], env=env, capture_output=True, text=True, timeout=120
        )
        yield result, llm


def test_the_agent_runs_unchanged(run):
    result, llm = run
    assert result.returncode == 0, result.stderr
    assert len(llm.requests) == 3


def test_every_llm_call_has_one_span_with_session_trigger_and_tokens(run):
    result, _ = run
    spans = [s for s in console_spans(result.stdout) if "gen_ai.operation.name" in s["attributes"]]
    assert len(spans) == 3, result.stderr[-2000:]
    for span in spans:
        attributes = span["attributes"]
        assert attributes["agentcost.session.id"] == "s-zero"
        assert attributes["agentcost.trigger"] == "heartbeat"
        assert span["resource"]["attributes"]["service.name"] == "zero-code-agent"
    tokens = sorted(
        (s["attributes"]["gen_ai.usage.input_tokens"], s["attributes"]["gen_ai.usage.output_tokens"]) for s in spans
    )
    assert tokens == [(80, 12), (120, 30), (900, 8)]
