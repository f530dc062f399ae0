"""The LLM side of the demo: stand-in servers answered through the real openai and anthropic SDKs.

A stand-in server answers its queued replies first in, first out, whichever request comes, so concurrent callers
of one server could take each other's replies. Each worker thread therefore gets a server (and a pair of SDK
clients) of its own: a reply is always the one its caller queued, and the run is the same every time.
"""

from __future__ import annotations

import threading
from typing import Any

from otel_agentcost.standin import Reply, StandinLLM

Message = dict[str, str]
PROVIDERS = ("openai", "anthropic")
MAX_TOKENS = 8192  # within what the anthropic SDK accepts for a call that is not streamed, whatever the model
INSTALL_HINT = "pip install openai anthropic (both come with `pip install 'otel-agentcost[dev]'`)"


class SDKMissingError(ImportError):
    """The demo drives both real SDKs; the message says which is missing and how to install it."""


def require_sdks() -> None:
    for name in PROVIDERS:
        try:
            __import__(name)
        except ImportError:
            raise SDKMissingError(
                f"the demo calls the real {name} SDK, which is not installed: {INSTALL_HINT}"
            ) from None


class Backend:
    """One stand-in server and the two SDK clients that talk to it."""

    def __init__(self) -> None:
        import anthropic
        import openai

        self.server = StandinLLM().start()
        self.openai = openai.OpenAI(base_url=self.server.openai_base_url, api_key="sk-demo", max_retries=0)
        self.anthropic = anthropic.Anthropic(base_url=self.server.anthropic_base_url, api_key="demo", max_retries=0)

    def ask(self, provider: str, model: str, messages: list[Message], reply: Reply, stream: bool) -> str:
        """Makes one real SDK call that the server answers with `reply`; returns the text the SDK gave back."""
        self.server.enqueue(reply)
        if provider == "openai":
            return self._ask_openai(model, messages, stream)
        if provider == "anthropic":
            return self._ask_anthropic(model, messages, stream)
        raise ValueError(f"unknown provider {provider!r}: the demo speaks {' and '.join(PROVIDERS)}")

    def _ask_openai(self, model: str, messages: list[Any], stream: bool) -> str:
        if not stream:
            completion = self.openai.chat.completions.create(model=model, messages=messages)
            return completion.choices[0].message.content or ""
        chunks = self.openai.chat.completions.create(model=model, messages=messages, stream=True)
        return "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)

    def _ask_anthropic(self, model: str, messages: list[Any], stream: bool) -> str:
        if not stream:
            message = self.anthropic.messages.create(model=model, max_tokens=MAX_TOKENS, messages=messages)
            return "".join(block.text for block in message.content if block.type == "text")
        with self.anthropic.messages.stream(model=model, max_tokens=MAX_TOKENS, messages=messages) as events:
            return events.get_final_text()

    def close(self) -> None:
        self.openai.close()
        self.anthropic.close()
        self.server.stop()


class Backends:
    """A Backend per thread, made on the thread's first call; `close()` stops them all."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._all: list[Backend] = []
        self._lock = threading.Lock()

    def here(self) -> Backend:
        backend: Backend | None = getattr(self._local, "backend", None)
        if backend is None:
            backend = self._local.backend = Backend()
            with self._lock:
                self._all.append(backend)
        return backend

    def close(self) -> None:
        with self._lock:
            backends, self._all = self._all, []
        for backend in backends:
            backend.close()
