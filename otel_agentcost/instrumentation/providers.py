"""Which provider an OpenAI-compatible base URL points at, as `gen_ai.provider.name`.

The openai SDK reaches many providers (OpenRouter, Groq, DeepSeek, vLLM, Ollama...); the cost and the dashboards'
provider split depend on knowing which one answered. Known hosts get the semantic conventions' names; anything else
gets its host name, which is what an operator would recognise. `AGENTCOST_PROVIDER_NAME` overrides all of it for a
self-hosted endpoint whose host says nothing (e.g. `vllm`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from .fields import field

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


_PROVIDER_ENV = "AGENTCOST_PROVIDER_NAME"


def _environ_reader(name: str) -> Callable[[], str]:
    """Reads the variable `name` as `os.environ.get(name, "")` does, on every call (it may change at run time).
    `os.environ.get` raises and catches a KeyError inside when the variable is unset, the usual case, at about 8k
    instructions a read; CPython's `os.environ` keeps its entries in the dict `_data` under encoded keys, which is
    read directly when it is there."""
    environ = os.environ
    data = getattr(environ, "_data", None)
    encode, decode = getattr(environ, "encodekey", None), getattr(environ, "decodevalue", None)
    if type(data) is not dict or encode is None or decode is None:
        return lambda: environ.get(name, "")
    key = encode(name)

    def read() -> str:
        raw = data.get(key)
        return "" if raw is None else decode(raw)

    return read


_forced_provider = _environ_reader(_PROVIDER_ENV)


def provider_for(host: str | None, port: int | None, default: str) -> str:
    """The provider behind `host:port`; `default` (the SDK's own vendor) when the host is unknown or absent."""
    forced = _forced_provider().strip()
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


def base_url_of(client: Any) -> Any:
    """A client's base URL. The SDKs' `base_url` property returns a field of the client, and openai 3's imports a
    module to do so on every read (as costly as the rest of a call's endpoint work), so the field is read first:
    `_base_url`, or `_configured_base_url` (openai from 3.6x); the property is the fallback for a client that has
    neither."""
    values = getattr(client, "__dict__", None)
    if type(values) is dict:
        for name in _BASE_URL_FIELDS:
            if (url := values.get(name)) is not None:
                return url
    return getattr(client, "base_url", None)


_BASE_URL_FIELDS = ("_base_url", "_configured_base_url")


_ENDPOINT_CACHE_SIZE = 64
# id of a base URL object -> (the object, its host, its port). The object is kept so that its id cannot be reused.
_endpoints: dict[int, tuple[Any, str | None, int | None]] = {}


def endpoint(base_url: Any) -> tuple[str | None, int | None]:
    """The host and port of a client's base URL, read on every call. An SDK client keeps one httpx URL object, and
    those never change, so each one's host and port are read once (its `host` property decodes IDNA every time)."""
    known = _endpoints.get(id(base_url))
    if known is not None and known[0] is base_url:
        return known[1], known[2]
    host, port = field(base_url, "host"), field(base_url, "port")
    if type(base_url) in _immutable_urls():
        if len(_endpoints) >= _ENDPOINT_CACHE_SIZE:
            _endpoints.clear()
        _endpoints[id(base_url)] = (base_url, host, port)
    return host, port


@functools.cache
def _immutable_urls() -> frozenset[type]:
    """The URL types whose objects never change: httpx2's (the SDKs') and httpx's, those that are installed."""
    import importlib

    found = set()
    for module in ("httpx2", "httpx"):
        try:
            found.add(importlib.import_module(module).URL)
        except (ImportError, AttributeError):
            continue
    return frozenset(found)
