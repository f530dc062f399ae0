"""`python -m otel_agentcost.quickstart`: see what the instrumentation records, with no servers and no API keys.

A small agent makes real openai and anthropic SDK calls to the bundled stand-in LLM server inside session, task
and heartbeat scopes; the spans it produces are printed as a table. It is the shortest way to check an install
and to see the attributes your own agent's spans will carry.
"""

from __future__ import annotations

import os

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from rich.console import Console
from rich.table import Table

import otel_agentcost as agentcost
from otel_agentcost.standin import Reply, StandinLLM

COLUMNS = (
    ("session", "agentcost.session.id"),
    ("task", "agentcost.task.id"),
    ("trigger", "agentcost.trigger"),
    ("model", "gen_ai.request.model"),
    ("input", "gen_ai.usage.input_tokens"),
    ("cached", "gen_ai.usage.cache_read.input_tokens"),
    ("output", "gen_ai.usage.output_tokens"),
    ("cost USD", "agentcost.cost.usd"),
)


def run_agent(llm: StandinLLM) -> None:
    import anthropic
    import openai

    gpt = openai.OpenAI(base_url=llm.openai_base_url, api_key="sk-quickstart")
    claude = anthropic.Anthropic(base_url=llm.anthropic_base_url, api_key="quickstart")
    ask = [{"role": "user", "content": "What is blocking T-7?"}]
    with agentcost.session("s-42", agent="pm-1", role="pm"):
        with agentcost.task("T-7", kind="triage") as task:
            llm.enqueue(Reply(input_tokens=2400, output_tokens=600, cached_tokens=1800))
            gpt.chat.completions.create(model="gpt-4o-mini", messages=ask)
            llm.enqueue(Reply(input_tokens=5200, output_tokens=9000, reasoning_tokens=4000))
            for _ in gpt.chat.completions.create(model="gpt-4.1", messages=ask, stream=True):
                pass
            task.outcome("blocked", grade=0.4, reason="claim denied")
        for _ in range(3):
            with agentcost.heartbeat():
                llm.enqueue(Reply(input_tokens=8000, output_tokens=40, cached_tokens=7600))
                claude.messages.create(model="claude-sonnet-4-6", max_tokens=64, messages=ask)


def main() -> None:
    os.environ.setdefault("AGENTCOST_PROVIDER_NAME", "openai")
    exporter = InMemorySpanExporter()
    provider = agentcost.init(service_name="quickstart-agent", exporter=exporter)
    with StandinLLM() as llm:
        run_agent(llm)
    provider.force_flush()
    table = Table(title="LLM call spans recorded by otel-agentcost")
    for title, _ in COLUMNS:
        table.add_column(title, justify="right" if title in ("input", "cached", "output", "cost USD") else "left")
    for span in sorted(exporter.get_finished_spans(), key=lambda s: s.start_time or 0):
        values = span.attributes or {}
        if "gen_ai.operation.name" in values:
            table.add_row(*(_cell(values.get(key)) for _, key in COLUMNS))
    Console().print(table)
    print("Instrument your own agent: `agentcost.init(service_name=...)`, or run it under `opentelemetry-instrument`.")
    agentcost.shutdown()


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6f}"
    return "" if value is None else str(value)


if __name__ == "__main__":
    main()
