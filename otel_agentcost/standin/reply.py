"""What a test scripts (a Reply), what the server saw (a RecordedRequest), and the token counts one exchange reports.

Token counts are vendor-neutral here, the way the OpenTelemetry GenAI conventions count them: ``input_tokens``
is the whole prompt (cache reads and writes included) and ``output_tokens`` includes reasoning. Each vendor
module turns them into its own wire fields (Anthropic's ``input_tokens`` excludes the cache, OpenAI's
``prompt_tokens`` includes it), so one Reply scripts the same call whichever SDK sends it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reply:
    """One scripted response; see the module docstring for how token counts are meant.

    ``input_tokens`` / ``output_tokens`` left as None are estimated from the request / the reply (about four
    characters a token), so an unscripted call still reports plausible, reproducible usage.

    Faults on the wire (see ``faults``): ``malformed`` cuts the body (or a stream's first event) in half;
    ``truncate_stream_after`` ends a stream after that many events; ``omit_usage`` leaves usage out;
    ``usage_fields`` writes the given wire fields (any JSON value: a string, null, a negative number, a list) over
    every usage object the reply carries; ``raw_body`` is sent verbatim instead of the rendered reply (server-sent
    events when the request streams).
    """

    text: str = "OK"
    model: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    cost_usd: float | None = None
    omit_usage: bool = False
    status: int = 200
    error_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    truncate_stream_after: int | None = None
    malformed: bool = False
    usage_fields: dict[str, Any] = field(default_factory=dict)
    raw_body: str | None = None
    delay_s: float = 0.0

    def __post_init__(self) -> None:
        problem = _first_problem(self)
        if problem:
            raise ValueError(f"invalid Reply: {problem}")

    @property
    def is_error(self) -> bool:
        return self.status >= 400


def _first_problem(reply: Reply) -> str | None:
    """Names the first inconsistent field and how to fix it, so a bad script fails where it is written."""
    counts = {
        "input_tokens": reply.input_tokens,
        "output_tokens": reply.output_tokens,
        "cached_tokens": reply.cached_tokens,
        "cache_write_tokens": reply.cache_write_tokens,
        "reasoning_tokens": reply.reasoning_tokens,
        "truncate_stream_after": reply.truncate_stream_after,
    }
    for name, value in counts.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            return f"{name}={value!r} must be a non-negative int"
    cache = reply.cached_tokens + reply.cache_write_tokens
    if reply.input_tokens is not None and cache > reply.input_tokens:
        return (
            f"input_tokens={reply.input_tokens} is less than cached_tokens + cache_write_tokens={cache}; "
            "input_tokens counts the whole prompt, cache reads and writes included"
        )
    if reply.output_tokens is not None and reply.reasoning_tokens > reply.output_tokens:
        return (
            f"output_tokens={reply.output_tokens} is less than reasoning_tokens={reply.reasoning_tokens}; "
            "output_tokens includes reasoning"
        )
    if not (reply.status == 200 or 400 <= reply.status <= 599):
        return f"status={reply.status} must be 200 or an error status in 400-599"
    if reply.error_type is not None and not reply.is_error:
        return f"error_type={reply.error_type!r} needs an error status (400-599), not {reply.status}"
    if reply.malformed and reply.is_error:
        return "malformed=True only applies to a 200; drop malformed or the error status"
    if reply.raw_body is not None and (reply.is_error or reply.malformed or reply.usage_fields):
        return "raw_body is sent as it is; drop the error status, malformed and usage_fields, or raw_body"
    if reply.usage_fields and reply.omit_usage:
        return "usage_fields garbles a usage that omit_usage=True leaves out; drop one of them"
    if reply.delay_s < 0:
        return f"delay_s={reply.delay_s} must be >= 0"
    for call in reply.tool_calls:
        if not (isinstance(call, tuple) and len(call) == 2 and isinstance(call[0], str) and isinstance(call[1], dict)):
            return f"tool_calls entry {call!r} must be a (name, arguments dict) tuple"
    return None


@dataclass
class RecordedRequest:
    """One HTTP request as the server received it (headers lowercased, body parsed when it was JSON)."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


def estimate_tokens(*parts: object) -> int:
    """About four characters a token over each part's JSON text: crude, but the same for the same request."""
    return sum(math.ceil(len(json.dumps(part)) / 4) for part in parts)


@dataclass(frozen=True)
class Usage:
    """The token counts one exchange reports, resolved from the Reply and the request."""

    input_tokens: int
    cached_tokens: int
    cache_write_tokens: int
    output_tokens: int
    reasoning_tokens: int
    cost_usd: float | None

    @property
    def uncached_input_tokens(self) -> int:
        return self.input_tokens - self.cached_tokens - self.cache_write_tokens

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @classmethod
    def resolve(cls, reply: Reply, prompt_parts: list[object]) -> Usage:
        cache = reply.cached_tokens + reply.cache_write_tokens
        input_tokens = reply.input_tokens
        if input_tokens is None:
            input_tokens = max(estimate_tokens(*prompt_parts), cache)
        output_tokens = reply.output_tokens
        if output_tokens is None:
            calls = "".join(name + json.dumps(arguments) for name, arguments in reply.tool_calls)
            output_tokens = math.ceil(len(reply.text + calls) / 4) + reply.reasoning_tokens
        return cls(
            input_tokens=input_tokens,
            cached_tokens=reply.cached_tokens,
            cache_write_tokens=reply.cache_write_tokens,
            output_tokens=output_tokens,
            reasoning_tokens=reply.reasoning_tokens,
            cost_usd=reply.cost_usd,
        )


@dataclass(frozen=True)
class Exchange:
    """One request answered by one Reply: what every vendor renderer needs."""

    reply: Reply
    request: dict[str, Any]
    usage: Usage

    @property
    def model(self) -> str:
        return self.reply.model or str(self.request.get("model", ""))
