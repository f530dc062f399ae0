"""The serve token over real HTTP: the receiver takes `Authorization: Bearer`, the page also HTTP Basic with the token
as password (so a browser can sign in), everything else is 401 with the challenge that fits; /healthz stays open."""

from __future__ import annotations

import base64

import pytest
import requests
from google.rpc import code_pb2, status_pb2
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace.export import SpanExportResult
from receiver_support import (
    WAIT,
    make_sdk_spans,
    protobuf_body,
    receiver_app,
    serving,
    stored_span_ids,
    wait_until_stored,
)
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from otel_agentcost.receiver.auth import TokenError, check_token
from otel_agentcost.receiver.otlp import decode_protobuf

TOKEN = "4kT9-the-serve-token-Zq"
PROTOBUF = "application/x-protobuf"


async def _page(request: Request) -> PlainTextResponse:
    return PlainTextResponse("dashboards")


@pytest.fixture(scope="module")
def url(chdb_store, tmp_path_factory):
    app = receiver_app(chdb_store, tmp_path_factory.mktemp("journal"), token=TOKEN, routes=[Route("/", _page)])
    with serving(app) as base:
        yield base


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _export(url: str, authorization: str | None) -> SpanExportResult:
    headers = {"Authorization": authorization} if authorization else None
    exporter = OTLPSpanExporter(endpoint=f"{url}/v1/traces", headers=headers)
    try:
        return exporter.export(make_sdk_spans())
    finally:
        exporter.shutdown()


def test_the_real_exporter_with_the_bearer_token_is_stored(url, chdb_store):
    spans = make_sdk_spans()
    exporter = OTLPSpanExporter(endpoint=f"{url}/v1/traces", headers={"Authorization": f"Bearer {TOKEN}"})
    assert exporter.export(spans) == SpanExportResult.SUCCESS
    exporter.shutdown()
    wait_until_stored(url)
    assert {format(span.context.span_id, "016x") for span in spans} <= set(stored_span_ids(chdb_store))


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token-of-some-length", f"Bearer {TOKEN}x",
                                           f"Token {TOKEN}", "Bearer"])  # fmt: skip
def test_the_real_exporter_without_the_right_token_is_refused(url, authorization):
    assert _export(url, authorization) == SpanExportResult.FAILURE


def test_a_refused_export_is_401_with_a_bearer_challenge_and_stores_nothing(url, chdb_store):
    body = protobuf_body(make_sdk_spans())
    response = requests.post(
        f"{url}/v1/traces",
        data=body,
        headers={"Content-Type": PROTOBUF, "Authorization": "Bearer not-the-token-at-all"},
        timeout=WAIT,
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer realm=")
    status = status_pb2.Status.FromString(response.content)
    assert status.code == code_pb2.UNAUTHENTICATED
    assert "Authorization: Bearer <token>" in status.message
    assert TOKEN not in response.text
    spans = {row.span_id for row in decode_protobuf(body).block.rows()}
    assert spans.isdisjoint(stored_span_ids(chdb_store))


def test_the_page_asks_a_browser_for_basic_credentials(url):
    response = requests.get(f"{url}/", timeout=WAIT)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Basic realm="otel-agentcost serve"')
    assert "dashboards" not in response.text


@pytest.mark.parametrize(
    "authorization", [_basic("me", TOKEN), _basic("", TOKEN), f"Bearer {TOKEN}", f"bearer {TOKEN}"]
)
def test_the_page_opens_with_basic_auth_using_the_token_as_password_or_the_bearer_token(url, authorization):
    response = requests.get(f"{url}/", headers={"Authorization": authorization}, timeout=WAIT)
    assert (response.status_code, response.text) == (200, "dashboards")


@pytest.mark.parametrize("authorization", [_basic(TOKEN, "wrong"), _basic("me", TOKEN[:-1]), "Basic !!notbase64",
                                           _basic("me", "") + "=", "Basic"])  # fmt: skip
def test_the_page_refuses_a_wrong_basic_password(url, authorization):
    assert requests.get(f"{url}/", headers={"Authorization": authorization}, timeout=WAIT).status_code == 401


def test_health_needs_no_token(url):
    assert requests.get(f"{url}/healthz", timeout=WAIT).status_code == 200


@pytest.mark.parametrize("token", ["", "   ", "short-token"])
def test_a_token_too_short_to_resist_guessing_is_refused_with_how_to_make_one(token):
    with pytest.raises(TokenError, match=r"from --token-file t has \d+ characters, fewer than 16; make one with"):
        check_token(token, "--token-file t")
