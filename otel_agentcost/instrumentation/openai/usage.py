"""What OpenAI responses (chat completions, Responses API, embeddings) say about a call."""

from __future__ import annotations

from typing import Any

from ..fields import amount, amount_value, count, count_value, field, items_value, members, text, text_value
from ..llm_call import LLMCall, Usage
from .content import chat_output, responses_output


def chat_usage(usage: Any) -> Usage | None:
    """Chat completions usage: `prompt_tokens` already includes the cached tokens, as the conventions want."""
    if usage is None:
        return None
    values = members(usage)
    return Usage(
        input_tokens=count_value(values.get("prompt_tokens")),
        output_tokens=count_value(values.get("completion_tokens")),
        cache_read_tokens=count_value(members(values.get("prompt_tokens_details")).get("cached_tokens")),
        reasoning_tokens=count_value(members(values.get("completion_tokens_details")).get("reasoning_tokens")),
        provider_cost_usd=amount_value(values.get("cost")),
    )


def responses_usage(usage: Any) -> Usage | None:
    if usage is None:
        return None
    return Usage(
        input_tokens=count(usage, "input_tokens"),
        output_tokens=count(usage, "output_tokens"),
        cache_read_tokens=count(usage, "input_tokens_details", "cached_tokens"),
        reasoning_tokens=count(usage, "output_tokens_details", "reasoning_tokens"),
        provider_cost_usd=amount(usage, "cost"),
    )


def embeddings_usage(usage: Any) -> Usage | None:
    if usage is None:
        return None
    return Usage(input_tokens=count(usage, "prompt_tokens"), output_tokens=0, provider_cost_usd=amount(usage, "cost"))


def record_chat_completion(call: LLMCall, completion: Any) -> None:
    values = members(completion)
    choices = items_value(values.get("choices"))
    call.record_response(
        response_id=text_value(values.get("id")),
        response_model=text_value(values.get("model")),
        finish_reasons=[reason for choice in choices if (reason := text_value(members(choice).get("finish_reason")))],
        usage=chat_usage(values.get("usage")),
    )
    if call.content is not None:
        call.content.record_output(chat_output, completion)


def record_response(call: LLMCall, response: Any) -> None:
    """A Responses API `Response`: its status stands in for the finish reason (`completed`, `incomplete`...)."""
    status = text(response, "status")
    reason = text(response, "incomplete_details", "reason")
    call.record_response(
        response_id=text(response, "id"),
        response_model=text(response, "model"),
        finish_reasons=[reason or status] if (reason or status) else None,
        usage=responses_usage(field(response, "usage")),
    )
    if call.content is not None:
        call.content.record_output(responses_output, response)


def record_embeddings(call: LLMCall, result: Any) -> None:
    call.record_response(response_model=text(result, "model"), usage=embeddings_usage(field(result, "usage")))
