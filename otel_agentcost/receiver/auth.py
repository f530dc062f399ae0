"""Bearer-token authentication for everything `serve` answers except `/healthz`: the receiver and the web page.

Agents send `Authorization: Bearer <token>` (OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <token>"); a browser
cannot, so HTTP Basic with the token as the password (any user name) is accepted too, and a refusal outside the
receiver's endpoint carries `WWW-Authenticate: Basic` so the browser asks for it. Tokens are compared in constant
time. The token never appears in a log line or a response.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from otel_agentcost.receiver.replies import JSON, PROTOBUF, failure_response

_log = logging.getLogger(__name__)

TRACES_PATH = "/v1/traces"
OPEN_PATHS = frozenset({"/healthz"})
MIN_TOKEN_LENGTH = 16
_REALM = 'realm="otel-agentcost serve", charset="UTF-8"'


class TokenError(ValueError):
    """A token that cannot protect the receiver (empty, or too short to resist guessing)."""


def check_token(token: str, source: str) -> str:
    """The token, stripped, once it is long enough; `source` names where it came from for the error."""
    token = token.strip()
    if len(token) < MIN_TOKEN_LENGTH:
        raise TokenError(
            f"the token from {source} has {len(token)} characters, fewer than {MIN_TOKEN_LENGTH}; make one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return token


class TokenAuth:
    """ASGI middleware refusing requests without the token with 401."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self._app = app
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self._app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self._presented_token_matches(headers.get("authorization", "")):
            await self._app(scope, receive, send)
            return
        client = scope.get("client") or ("?",)
        _log.warning("refused %s %s from %s: no valid token", scope["method"], scope["path"], client[0])
        await _refusal(scope["path"], headers)(scope, receive, send)

    def _presented_token_matches(self, authorization: str) -> bool:
        scheme, _, credentials = authorization.strip().partition(" ")
        scheme = scheme.lower()
        if scheme == "bearer":
            presented = credentials.strip().encode()
        elif scheme == "basic":
            presented = _basic_password(credentials.strip())
        else:
            return False
        return hmac.compare_digest(presented, self._token)


def _basic_password(credentials: str) -> bytes:
    try:
        decoded = base64.b64decode(credentials, validate=True)
    except (binascii.Error, ValueError):
        return b""
    return decoded.partition(b":")[2]


def _refusal(path: str, headers: Headers) -> Response:
    if path == TRACES_PATH:
        media_type = PROTOBUF if headers.get("content-type", "").startswith(PROTOBUF) else JSON
        response = failure_response(
            401, "this receiver requires a token: send the header Authorization: Bearer <token>", media_type
        )
        response.headers["WWW-Authenticate"] = f"Bearer {_REALM}"
        return response
    return PlainTextResponse(
        "This page requires the serve token: sign in with any user name and the token as the password.",
        status_code=401,
        headers={"WWW-Authenticate": f"Basic {_REALM}", "Cache-Control": "no-store"},
    )
