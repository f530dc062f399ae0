"""Request-id headers and error envelopes of OpenAI and Anthropic, as their SDKs expect to parse them."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from otel_agentcost.standin.wire import Vendor, hex_id, new_id

# OpenAI puts the kind in `type` and sometimes a finer `code`; unlisted statuses fall back by class (4xx / 5xx).
_OPENAI_ERRORS: dict[int, tuple[str, str | None]] = {
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}
_ANTHROPIC_ERRORS: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}


def scripted_message(status: int) -> str:
    """The error message of a scripted failure, marked so nobody mistakes it for a real vendor's."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Overloaded" if status == 529 else "Error"
    return f"{phrase} (scripted by the stand-in LLM server)"


def _openai_error(status: int, error_type: str | None, message: str, request_id: str) -> dict[str, Any]:
    default = _OPENAI_ERRORS.get(status, ("server_error" if status >= 500 else "invalid_request_error", None))
    kind, code = (error_type, None) if error_type else default
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _anthropic_error(status: int, error_type: str | None, message: str, request_id: str) -> dict[str, Any]:
    kind = error_type or _ANTHROPIC_ERRORS.get(status, "api_error" if status >= 500 else "invalid_request_error")
    return {"type": "error", "error": {"type": kind, "message": message}, "request_id": request_id}


OPENAI = Vendor(
    name="openai",
    request_id_header="x-request-id",
    new_request_id=lambda: hex_id("req_", 32),
    error_body=_openai_error,
    headers={"openai-version": "2020-10-01", "openai-processing-ms": "1"},
)
ANTHROPIC = Vendor(
    name="anthropic",
    request_id_header="request-id",
    new_request_id=lambda: new_id("req_011C", 20),
    error_body=_anthropic_error,
    headers={},
)


def with_cost(usage_body: dict[str, Any], cost_usd: float | None) -> dict[str, Any]:
    """Adds the `usage.cost` that OpenRouter-style gateways put in OpenAI-format responses, when scripted."""
    return usage_body if cost_usd is None else {**usage_body, "cost": cost_usd}
