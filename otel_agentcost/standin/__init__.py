"""A local stand-in LLM server speaking the OpenAI and Anthropic HTTP APIs, for tests, the demo and benchmarks.

with StandinLLM() as llm:
    llm.enqueue(Reply(text="hi", input_tokens=120, cached_tokens=100))
    OpenAI(base_url=llm.openai_base_url, api_key="x").chat.completions.create(...)
"""

from otel_agentcost.standin.reply import RecordedRequest, Reply, estimate_tokens
from otel_agentcost.standin.server import StandinLLM

__all__ = ["RecordedRequest", "Reply", "StandinLLM", "estimate_tokens"]
