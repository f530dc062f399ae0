"""Fuzzing the OTLP decoder and the receiver with hypothesis, on a fixed, derandomized budget (CI runs the same
examples every time): whatever arrives, the answer is a decoded batch or a PayloadError, never a crash; protobuf
and OTLP/JSON encodings of one request decode alike; the receiver answers 200/400/413/415 and stores exactly the
spans it acknowledged."""

from __future__ import annotations

import gzip
import json

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, KeyValue, KeyValueList
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status
from receiver_support import (
    WAIT,
    json_body,
    make_sdk_spans,
    protobuf_body,
    receiver_app,
    serving,
    span_counts,
    wait_until_stored,
)

from otel_agentcost.receiver.otlp import DecodedSpans, PayloadError, decode_json, decode_protobuf

DECODER_BUDGET = settings(max_examples=100, deadline=None, derandomize=True)
APP_BUDGET = settings(
    max_examples=50, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PROTOBUF = "application/x-protobuf"
JSON = "application/json"
VALID_BODY = protobuf_body(make_sdk_spans(count=3))

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
scalars = st.one_of(
    st.builds(AnyValue),
    st.builds(AnyValue, string_value=text),
    st.builds(AnyValue, bool_value=st.booleans()),
    st.builds(AnyValue, int_value=st.integers(-(2**63), 2**63 - 1)),
    st.builds(AnyValue, double_value=st.floats()),
    st.builds(AnyValue, bytes_value=st.binary(max_size=8)),
)
any_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.builds(lambda items: AnyValue(array_value=ArrayValue(values=items)), st.lists(children, max_size=3)),
        st.builds(
            lambda pairs: AnyValue(kvlist_value=KeyValueList(values=[KeyValue(key=k, value=v) for k, v in pairs])),
            st.lists(st.tuples(text, children), max_size=3),
        ),
    ),
    max_leaves=8,
)
attributes = st.lists(st.builds(KeyValue, key=text, value=any_values), max_size=4)


def _id(size: int) -> st.SearchStrategy[bytes]:
    return st.binary(min_size=size, max_size=size)


times = st.integers(0, 2**63 - 1)
spans = st.builds(
    Span,
    trace_id=_id(16),
    span_id=_id(8),
    parent_span_id=st.one_of(st.just(b""), _id(8)),
    trace_state=text,
    name=text,
    kind=st.integers(0, 7),
    start_time_unix_nano=times,
    end_time_unix_nano=times,
    attributes=attributes,
    events=st.lists(st.builds(Span.Event, time_unix_nano=times, name=text, attributes=attributes), max_size=2),
    links=st.lists(st.builds(Span.Link, trace_id=_id(16), span_id=_id(8), attributes=attributes), max_size=2),
    status=st.builds(Status, code=st.integers(0, 3), message=text),
)
# What can be wrong with one span: the cases the decoder must tell apart (refuse the request, or leave the span out).
FLAWS = {
    "trace_id": st.one_of(st.just(b""), st.just(bytes(16)), st.binary(max_size=20)),
    "span_id": st.one_of(st.just(b""), st.just(bytes(8)), st.binary(max_size=20)),
    "parent_span_id": st.one_of(st.just(bytes(8)), st.binary(max_size=20)),
    "start_time_unix_nano": st.integers(0, 2**64 - 1),
}


@st.composite
def export_requests(draw: st.DrawFn) -> ExportTraceServiceRequest:
    """Well-formed requests, about a third of them with one flaw in one span."""
    request = ExportTraceServiceRequest()
    for _ in range(draw(st.integers(1, 2))):
        resource_spans = request.resource_spans.add()
        resource_spans.resource.attributes.extend(draw(attributes))
        scope_spans = resource_spans.scope_spans.add()
        scope_spans.scope.name = draw(text)
        scope_spans.spans.extend(draw(st.lists(spans, min_size=1, max_size=3)))
    flaw = draw(st.sampled_from([None, None, *FLAWS]))
    if flaw is not None:
        span = draw(st.sampled_from([span for rs in request.resource_spans for span in rs.scope_spans[0].spans]))
        setattr(span, flaw, draw(FLAWS[flaw]))
    return request


def _outcome(decode, body: bytes) -> DecodedSpans | str:
    try:
        return decode(body)
    except PayloadError as error:
        return f"PayloadError: {error}"


def _mutations(body: bytes) -> st.SearchStrategy[bytes]:
    """A valid body truncated, with bytes overwritten, or with bytes inserted."""
    positions = st.integers(0, len(body))
    return st.one_of(
        positions.map(lambda at: body[:at]),
        st.tuples(positions, st.binary(min_size=1, max_size=8)).map(lambda m: body[: m[0]] + m[1] + body[m[0] + 8 :]),
        st.tuples(positions, st.binary(min_size=1, max_size=8)).map(lambda m: body[: m[0]] + m[1] + body[m[0] :]),
    )


json_documents = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(text, children, max_size=3)),
    max_leaves=12,
)


@DECODER_BUDGET
@given(st.one_of(st.binary(max_size=512), _mutations(VALID_BODY)))
def test_any_bytes_decode_as_protobuf_to_spans_or_a_payload_error(body):
    assert isinstance(_outcome(decode_protobuf, body), DecodedSpans | str)


@DECODER_BUDGET
@given(st.one_of(json_documents.map(lambda doc: json.dumps(doc).encode()), st.binary(max_size=256)))
def test_any_json_decodes_to_spans_or_a_payload_error(body):
    assert isinstance(_outcome(decode_json, body), DecodedSpans | str)


@DECODER_BUDGET
@given(export_requests(), st.booleans(), st.booleans())
def test_protobuf_and_json_encodings_of_a_request_decode_alike_to_well_formed_rows(request, snake_case, int64_numbers):
    from_protobuf = _outcome(decode_protobuf, request.SerializeToString())
    from_json = _outcome(decode_json, json_body(request, snake_case=snake_case, int64_numbers=int64_numbers))
    assert from_json == from_protobuf
    for row in from_protobuf.block.rows() if isinstance(from_protobuf, DecodedSpans) else []:
        assert len(row.trace_id) == 32 and row.trace_id != "0" * 32
        assert len(row.span_id) == 16 and row.span_id != "0" * 16
        assert len(row.parent_span_id) in (0, 16)
        assert 0 <= row.timestamp_ns < 2**63 and row.duration_ns >= 0
        assert all(isinstance(value, str) for value in row.span_attributes.values())


@pytest.fixture(scope="module")
def url(chdb_store, tmp_path_factory):
    with serving(receiver_app(chdb_store, tmp_path_factory.mktemp("journal"), max_body_bytes=64 * 1024)) as base:
        yield base


payloads = st.one_of(
    st.tuples(st.just(PROTOBUF), st.one_of(st.binary(max_size=512), _mutations(VALID_BODY))),
    st.tuples(st.just(PROTOBUF), export_requests().map(ExportTraceServiceRequest.SerializeToString)),
    st.tuples(st.just(JSON), export_requests().map(json_body)),
    st.tuples(st.just(JSON), json_documents.map(lambda doc: json.dumps(doc).encode())),
    st.tuples(st.sampled_from(["text/plain", "application/grpc", ""]), st.binary(max_size=64)),
)


@APP_BUDGET
@given(payloads, st.booleans())
def test_the_receiver_answers_every_payload_and_stores_exactly_what_it_acknowledges(url, chdb_store, payload, gzipped):
    content_type, body = payload
    headers = {"Content-Type": content_type, **({"Content-Encoding": "gzip"} if gzipped else {})}
    before = span_counts(chdb_store)[0]
    response = requests.post(
        f"{url}/v1/traces", data=gzip.compress(body) if gzipped else body, headers=headers, timeout=WAIT
    )
    wait_until_stored(url)
    after = span_counts(chdb_store)[0]
    assert response.status_code in (200, 400, 413, 415)
    expected = _outcome(decode_json if content_type == JSON else decode_protobuf, body)
    stored = len(expected.block.rows()) if response.status_code == 200 else 0
    assert response.status_code != 200 or isinstance(expected, DecodedSpans)
    assert after - before == stored
