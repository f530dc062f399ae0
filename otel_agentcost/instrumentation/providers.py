"""Which provider an OpenAI-compatible base URL points at, as `gen_ai.provider.name`.

The openai SDK reaches many providers (OpenRouter, Groq, DeepSeek, vLLM, Ollama...); the cost and the dashboards'
provider split depend on knowing which one answered. Known hosts get the semantic conventions' names; anything else
gets its host name, which is what an operator would recognise. `AGENTCOST_PROVIDER_NAME` overrides all of it for a
self-hosted endpoint whose host says nothing (e.g. `vllm`).
"""

from __future__ import annotations

import functools
import os

# Host suffix -> provider name (GenAI semantic convention values where one exists).
_KNOWN_HOSTS: tuple[tuple[str, str], ...] = (
    ("api.openai.com", "openai"),
    ("openai.azure.com", "azure.ai.openai"),
    ("services.ai.azure.com", "azure.ai.inference"),
    ("openrouter.ai", "openrouter"),
    ("api.groq.com", "groq"),
    ("api.deepseek.com", "deepseek"),
    ("api.mistral.ai", "mistral_ai"),
    ("api.x.ai", "x_ai"),
    ("api.perplexity.ai", "perplexity"),
    ("api.together.xyz", "together"),
    ("api.fireworks.ai", "fireworks"),
    ("generativelanguage.googleapis.com", "gcp.gemini"),
    ("aiplatform.googleapis.com", "gcp.vertex_ai"),
    ("amazonaws.com", "aws.bedrock"),
    ("api.anthropic.com", "anthropic"),
    ("api.cohere.com", "cohere"),
)
_OLLAMA_PORT = 11434


def provider_for(host: str | None, port: int | None, default: str) -> str:
    """The provider behind `host:port`; `default` (the SDK's own vendor) when the host is unknown or absent."""
    forced = os.environ.get("AGENTCOST_PROVIDER_NAME", "").strip()
    if forced:
        return forced
    if not host:
        return default
    return _provider_of_host(host.lower(), port, default)


@functools.lru_cache(maxsize=256)
def _provider_of_host(host: str, port: int | None, default: str) -> str:
    """Memoized per endpoint: a process calls a handful of hosts, on every call."""
    for suffix, name in _KNOWN_HOSTS:
        if host == suffix or host.endswith("." + suffix):
            return name
    if port == _OLLAMA_PORT:
        return "ollama"
    return host
