"""The receiver app over real HTTP on 127.0.0.1, storing into a real chDB store through its journal: OTLP/HTTP
answers, what is stored, what is refused (and that a refusal stores nothing), backpressure, and draining on
shutdown. A 200 comes once a request is journalled; `wait_until_stored` waits for the insert that follows."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests
from google.rpc import status_pb2
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from receiver_support import (
    WAIT,
    GatedJournal,
    json_body,
    make_sdk_spans,
    protobuf_body,
    receiver_app,
    serving,
    span_counts,
    stored_rows,
    wait_until_stored,
)
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from otel_agentcost.receiver.app import DEFAULT_MAX_BODY_BYTES
from otel_agentcost.receiver.journal import read_records
from otel_agentcost.receiver.otlp import decode_protobuf
from otel_agentcost.store import open_store

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
SMALL_LIMIT = 4096


class GatedStore:
    """The real store, with inserts that wait until `gate` is set: makes "journalled but not yet stored" a state a
    test can hold the receiver in."""

    def __init__(self, store) -> None:
        self.store = store
        self.gate = threading.Event()
        self.entered = threading.Event()

    def insert_spans(self, rows, *, dedup_token=None) -> None:
        self.entered.set()
        assert self.gate.wait(WAIT)
        self.store.insert_spans(rows, dedup_token=dedup_token)


@pytest.fixture(scope="module")
def url(chdb_store, tmp_path_factory):
    with serving(receiver_app(chdb_store, tmp_path_factory.mktemp("journal"))) as base:
        yield base


@pytest.fixture(scope="module")
def small_url(chdb_store, tmp_path_factory):
    """A receiver on the same store with a 4 KiB body limit."""
    with serving(receiver_app(chdb_store, tmp_path_factory.mktemp("journal"), max_body_bytes=SMALL_LIMIT)) as base:
        yield base


def _post(base: str, body: bytes, content_type: str | None = PROTOBUF, **headers: str) -> requests.Response:
    if content_type is not None:
        headers["Content-Type"] = content_type
    return requests.post(f"{base}/v1/traces", data=body, headers=headers, timeout=WAIT)


def _trace_id(body: bytes) -> str:
    return decode_protobuf(body).block.rows()[0].trace_id


def _status_message(response: requests.Response, content_type: str | None) -> str:
    """The google.rpc.Status message of a refusal, decoded from the encoding the request used."""
    if content_type == PROTOBUF:
        assert response.headers["Content-Type"] == PROTOBUF
        return status_pb2.Status.FromString(response.content).message
    return response.json()["message"]


def test_a_protobuf_export_is_stored_with_every_column_as_decoded_before_it_is_acknowledged(url, chdb_store):
    body = protobuf_body(make_sdk_spans())
    response = _post(url, body)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == PROTOBUF
    assert not ExportTraceServiceResponse.FromString(response.content).HasField("partial_success")
    wait_until_stored(url)
    stored = stored_rows(chdb_store, _trace_id(body))
    assert stored == sorted(decode_protobuf(body).block.rows(), key=lambda row: (row.span_name, row.span_id))
    assert [(row.span_kind, row.status_code) for row in stored] == [("Client", "Error"), ("Internal", "Unset")]


def test_an_otlp_json_export_is_stored_and_answered_in_json(url, chdb_store):
    spans = make_sdk_spans()
    response = _post(url, json_body(encode_spans(spans)), JSON)
    assert (response.status_code, response.headers["Content-Type"], response.json()) == (200, JSON, {})
    wait_until_stored(url)
    assert len(stored_rows(chdb_store, format(spans[0].context.trace_id, "032x"))) == 2


@pytest.mark.parametrize(("coding", "compress"), [("gzip", gzip.compress), ("deflate", zlib.compress)])
def test_a_compressed_export_is_stored(url, chdb_store, coding, compress):
    body = protobuf_body(make_sdk_spans())
    assert _post(url, compress(body), **{"Content-Encoding": coding}).status_code == 200
    wait_until_stored(url)
    assert len(stored_rows(chdb_store, _trace_id(body))) == 2


def test_an_unstorable_span_is_rejected_alone_through_partial_success(url, chdb_store):
    request = encode_spans(make_sdk_spans())
    request.resource_spans[0].scope_spans[0].spans.add(name="zero", trace_id=bytes(16), span_id=b"\x01" * 8)
    body = request.SerializeToString()
    response = ExportTraceServiceResponse.FromString(_post(url, body).content)
    assert response.partial_success.rejected_spans == 1
    assert "trace_id is missing or all zeros" in response.partial_success.error_message
    wait_until_stored(url)
    assert [row.span_name for row in stored_rows(chdb_store, _trace_id(body))] == ["chat gpt-5-mini", "task T-7"]


def test_partial_success_in_json_names_the_rejected_span(url):
    document = json.loads(json_body(encode_spans(make_sdk_spans())))
    document["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["spanId"] = "0000000000000000"
    response = _post(url, json.dumps(document).encode(), JSON)
    partial = response.json()["partialSuccess"]
    assert partial["rejectedSpans"] == "1"
    assert "resource_spans[0].scope_spans[0].spans[0]: span_id is missing or all zeros" in partial["errorMessage"]


def _wrong_length_json() -> bytes:
    document = json.loads(json_body(encode_spans(make_sdk_spans())))
    document["resourceSpans"][0]["scopeSpans"][0]["spans"][1]["traceId"] = "abcd"
    return json.dumps(document).encode()


def _wrong_length_protobuf() -> bytes:
    request = encode_spans(make_sdk_spans())
    request.resource_spans[0].scope_spans[0].spans[0].span_id = b"\x01" * 7
    return request.SerializeToString()


BAD_PAYLOADS = {
    "garbage bytes": (b"\x00\xffnot protobuf\xff" * 10, PROTOBUF, {}, 400, "not a protobuf ExportTraceServiceRequest"),
    "truncated protobuf": (protobuf_body(make_sdk_spans())[:-30], PROTOBUF, {}, 400, "not a protobuf"),
    "invalid JSON": (b'{"resourceSpans": [{', JSON, {}, 400, "not valid JSON"),
    "JSON of the wrong shape": (b'{"resourceSpans": 7}', JSON, {}, 400, "not an OTLP/JSON ExportTraceServiceRequest"),
    "protobuf id of the wrong length": (_wrong_length_protobuf(), PROTOBUF, {}, 400, "span_id is 7 bytes"),
    "JSON id of the wrong length": (_wrong_length_json(), JSON, {}, 400, "spans[1].trace_id is 2 bytes"),
    "corrupt gzip": (
        gzip.compress(b"spans")[:10] + b"\xff" * 40,
        PROTOBUF,
        {"Content-Encoding": "gzip"},
        400,
        "cannot be decompressed",
    ),
    "wrong content type": (b"hello", "text/plain", {}, 415, "'text/plain' is not supported"),
    "no content type": (b"hello", None, {}, 415, "'(none)' is not supported"),
    "unknown content encoding": (b"hello", PROTOBUF, {"Content-Encoding": "br"}, 415, "'br' is not supported"),
}


@pytest.mark.parametrize(
    ("body", "content_type", "headers", "status", "message"), BAD_PAYLOADS.values(), ids=BAD_PAYLOADS
)
def test_a_bad_payload_is_refused_with_the_reason_and_stores_nothing(
    url, chdb_store, body, content_type, headers, status, message
):
    wait_until_stored(url)
    before = span_counts(chdb_store)
    response = _post(url, body, content_type, **headers)
    assert response.status_code == status
    assert message in _status_message(response, content_type)
    assert span_counts(chdb_store) == before


def _chunks(body: bytes, size: int = 1024):
    yield from (body[start : start + size] for start in range(0, len(body), size))


TOO_LARGE = {
    "declared length": lambda body: body,
    "chunked, no length": lambda body: _chunks(body),
}


@pytest.mark.parametrize("send", TOO_LARGE.values(), ids=TOO_LARGE)
def test_a_body_over_the_limit_is_refused_with_413(small_url, url, chdb_store, send):
    body = protobuf_body(make_sdk_spans(count=200))
    assert len(body) > SMALL_LIMIT
    wait_until_stored(url)
    before = span_counts(chdb_store)
    response = requests.post(
        f"{small_url}/v1/traces", data=send(body), headers={"Content-Type": PROTOBUF}, timeout=WAIT
    )
    assert response.status_code == 413
    assert f"over the limit of {SMALL_LIMIT} bytes; send smaller batches" in _status_message(response, PROTOBUF)
    assert span_counts(chdb_store) == before


def test_a_gzip_bomb_is_refused_with_413_once_it_decompresses_past_the_default_limit(url, chdb_store):
    bomb = gzip.compress(bytes(64 * 1024 * 1024))  # 64 MiB of zeros in about 64 KiB
    assert len(bomb) < DEFAULT_MAX_BODY_BYTES / 100
    wait_until_stored(url)
    before = span_counts(chdb_store)
    response = _post(url, bomb, **{"Content-Encoding": "gzip"})
    assert response.status_code == 413
    assert "decompresses to over the limit" in _status_message(response, PROTOBUF)
    assert span_counts(chdb_store) == before


def test_a_full_queue_answers_429_with_retry_after_and_stores_only_what_it_took(chdb_store, tmp_path):
    journal = GatedJournal(tmp_path)
    first, second = protobuf_body(make_sdk_spans()), protobuf_body(make_sdk_spans())
    with serving(receiver_app(chdb_store, journal, queue_spans=2)) as base, ThreadPoolExecutor(1) as pool:
        taken = pool.submit(_post, base, first)
        assert journal.entered.wait(WAIT)
        refused = _post(base, second)
        journal.gate.set()
        assert taken.result(WAIT).status_code == 200
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "1")
    assert "retry later" in _status_message(refused, PROTOBUF)
    assert len(stored_rows(chdb_store, _trace_id(first))) == 2
    assert stored_rows(chdb_store, _trace_id(second)) == []


def test_a_request_is_not_answered_until_it_is_durable_in_the_journal(chdb_store, tmp_path):
    journal = GatedJournal(tmp_path)
    body = protobuf_body(make_sdk_spans())
    with serving(receiver_app(chdb_store, journal)) as base, ThreadPoolExecutor(1) as pool:
        answer: Future[requests.Response] = pool.submit(_post, base, body)
        assert journal.entered.wait(WAIT)
        assert not answer.done()
        assert list(tmp_path.glob("*.seg")) == []
        journal.gate.set()
        assert answer.result(WAIT).status_code == 200
    assert len(stored_rows(chdb_store, _trace_id(body))) == 2


def test_an_acknowledged_request_waits_in_the_journal_until_its_insert_then_leaves_it(chdb_store, tmp_path):
    gated = GatedStore(chdb_store)
    body = protobuf_body(make_sdk_spans())
    with serving(receiver_app(gated, tmp_path)) as base:
        assert _post(base, body).status_code == 200
        assert gated.entered.wait(WAIT)
        (segment,) = tmp_path.glob("*.seg")
        assert [record.payload for record in read_records(segment)] == [body]
        assert stored_rows(chdb_store, _trace_id(body)) == []
        gated.gate.set()
        assert wait_until_stored(base)["journal_bytes"] == 0
    assert len(stored_rows(chdb_store, _trace_id(body))) == 2
    assert list(tmp_path.glob("*.seg")) == []


def test_shutdown_answers_and_stores_the_requests_in_flight(chdb_store, tmp_path):
    journal = GatedJournal(tmp_path)
    body = protobuf_body(make_sdk_spans())
    with ThreadPoolExecutor(2) as pool, ExitStack() as stack:
        base = stack.enter_context(serving(receiver_app(chdb_store, journal)))
        answer = pool.submit(_post, base, body)
        assert journal.entered.wait(WAIT)
        stopped = pool.submit(stack.close)  # uvicorn stops accepting, then waits for the request in flight
        journal.gate.set()
        stopped.result(WAIT)
        assert answer.result(WAIT).status_code == 200
    assert len(stored_rows(chdb_store, _trace_id(body))) == 2
    with pytest.raises(requests.ConnectionError):
        _post(base, body)


def test_a_failing_store_fills_the_journal_then_gets_503_with_retry_after_and_the_reason(chdb_store, tmp_path):
    missing = open_store(f"chdb:{Path(chdb_store.url.path)}?database=not_initialised")
    body = protobuf_body(make_sdk_spans())
    try:
        with serving(receiver_app(missing, tmp_path, journal_max_bytes=len(body))) as base:
            accepted = _post(base, body)
            while not requests.get(f"{base}/healthz", timeout=WAIT).json()["store_failing"]:
                threading.Event().wait(0.01)
            refused = _post(base, protobuf_body(make_sdk_spans()))
    finally:
        missing.close()
    assert accepted.status_code == 200
    assert (refused.status_code, refused.headers["Retry-After"]) == (503, "5")
    assert "journal holds" in _status_message(refused, PROTOBUF)
    assert "not_initialised" in _status_message(refused, PROTOBUF)
    (kept,) = tmp_path.glob("*.seg")  # acknowledged, so kept for the next start
    assert [record.payload for record in read_records(kept)] == [body]


def test_health_is_reported_at_healthz(url):
    response = requests.get(f"{url}/healthz", timeout=WAIT)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "queued_spans": 0, "journal_bytes": 0, "store_failing": False}


def test_the_root_path_is_left_for_the_web_page_which_plugs_in_as_a_route(chdb_store, url, tmp_path):
    assert requests.get(f"{url}/", timeout=WAIT).status_code == 404

    async def page(request: Request) -> PlainTextResponse:
        return PlainTextResponse("dashboards")

    with serving(receiver_app(chdb_store, tmp_path, routes=[Route("/", page)])) as base:
        assert requests.get(f"{base}/", timeout=WAIT).text == "dashboards"


def test_only_post_is_accepted_on_the_traces_endpoint(url):
    assert requests.get(f"{url}/v1/traces", timeout=WAIT).status_code == 405


def test_an_empty_export_request_is_acknowledged(url, chdb_store):
    wait_until_stored(url)
    before = span_counts(chdb_store)
    response = _post(url, ExportTraceServiceRequest().SerializeToString())
    assert response.status_code == 200
    assert span_counts(chdb_store) == before
