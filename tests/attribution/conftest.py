"""The instrumentation tests' fixtures (real SDKs, the stand-in LLM server, the in-memory exporter), shared here."""

from tests.instrumentation.conftest import (  # noqa: F401
    _fresh_llm,
    claude,
    claude_untraced,
    llm,
    oai,
    provider,
    spans,
)
