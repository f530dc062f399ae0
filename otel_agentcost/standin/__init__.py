"""A local stand-in LLM server speaking the OpenAI and Anthropic HTTP APIs, for tests, the demo and benchmarks.

    with StandinLLM() as llm:
        llm.enqueue(Reply(text="Blocked on review.", input_tokens=1200, cached_tokens=1000))
        OpenAI(base_url=llm.openai_base_url, api_key="x").chat.completions.create(...)
        Anthropic(base_url=llm.anthropic_base_url, api_key="x").messages.create(...)

Endpoints: POST /v1/chat/completions, /v1/responses, /v1/embeddings (OpenAI) and /v1/messages (Anthropic),
each plain or streamed (``"stream": true``). Replies are taken first in, first out whatever the endpoint.
A Reply's token counts are the conventions' totals (input includes cache reads and writes, output includes
reasoning); each vendor's fields are derived from them.
"""

from otel_agentcost.standin.reply import RecordedRequest, Reply, estimate_tokens
from otel_agentcost.standin.server import StandinLLM

__all__ = ["RecordedRequest", "Reply", "StandinLLM", "estimate_tokens"]
