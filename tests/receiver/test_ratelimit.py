"""The per-address rate bound over real HTTP: over it, 429 with Retry-After (in OTLP form on the receiver's endpoint),
nothing stored; /healthz is not counted."""

from __future__ import annotations

import pytest
import requests
from google.rpc import status_pb2
from receiver_support import WAIT, make_sdk_spans, protobuf_body, receiver_app, serving, span_counts, wait_until_stored
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from otel_agentcost.receiver.ratelimit import RateLimit
from otel_agentcost.receiver.server import DEFAULT_RATE_LIMIT, effective_rate_limit

PROTOBUF = "application/x-protobuf"
# One request, then a token every 100 s: the second request of a test is over the rate whatever the machine's speed.
SLOW_RATE = 0.01


async def _page(request: Request) -> PlainTextResponse:
    return PlainTextResponse("dashboards")


@pytest.fixture
def url(chdb_store, tmp_path):
    with serving(receiver_app(chdb_store, tmp_path, rate_limit=SLOW_RATE, routes=[Route("/", _page)])) as base:
        yield base


def _post(url: str) -> requests.Response:
    body = protobuf_body(make_sdk_spans())
    return requests.post(f"{url}/v1/traces", data=body, headers={"Content-Type": PROTOBUF}, timeout=WAIT)


def test_an_address_over_its_rate_gets_429_with_retry_after_and_nothing_is_stored(url, chdb_store):
    assert _post(url).status_code == 200
    wait_until_stored(url)
    before = span_counts(chdb_store)
    refused = _post(url)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 1 / SLOW_RATE
    assert "too many requests from this address" in status_pb2.Status.FromString(refused.content).message
    assert span_counts(chdb_store) == before


def test_the_page_shares_the_address_bound(url):
    assert requests.get(f"{url}/", timeout=WAIT).status_code == 200
    refused = requests.get(f"{url}/", timeout=WAIT)
    assert (refused.status_code, refused.headers["Retry-After"].isdigit()) == (429, True)


def test_health_is_not_rate_bound(url):
    for _ in range(5):
        assert requests.get(f"{url}/healthz", timeout=WAIT).status_code == 200


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (1, 0)])
def test_a_rate_bound_needs_a_positive_rate_and_burst(rate, burst):
    with pytest.raises(ValueError, match="positive rate and a burst of at least 1"):
        RateLimit(lambda scope, receive, send: None, rate, burst)


@pytest.mark.parametrize(
    ("asked", "host", "applied"),
    [(None, "127.0.0.1", None), (None, "::1", None), (None, "0.0.0.0", DEFAULT_RATE_LIMIT), (None, "10.1.2.3", 100),
     (0, "0.0.0.0", None), (5, "127.0.0.1", 5), (2.5, "0.0.0.0", 2.5)],
)  # fmt: skip
def test_serve_bounds_the_rate_beyond_loopback_by_default_and_as_asked(asked, host, applied):
    assert effective_rate_limit(asked, host) == applied
