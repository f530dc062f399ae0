"""Decoding OTLP export requests into `otel_traces` rows, with the collector exporter's value conventions."""

from __future__ import annotations

import re

import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, KeyValue, KeyValueList
from receiver_support import json_body, protobuf_body

from otel_agentcost.receiver.otlp import MAX_TIMESTAMP_NS, PayloadError, decode_json, decode_protobuf
from otel_agentcost.store.columns import SpanRow
from otel_agentcost.store.spans import span_block

START_NS = 1_767_225_600_123_456_789
TRACE = bytes.fromhex("5b8efff798038103d269b633813fc60c")
SPAN = bytes.fromhex("eee19b7ec3c1b174")


def _by_name(rows: list[SpanRow]) -> dict[str, SpanRow]:
    return {row.span_name: row for row in rows}


def _request(**span_fields: object) -> ExportTraceServiceRequest:
    """One span under a resource with service.name, filled with valid ids unless the caller overrides them."""
    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    resource_spans.resource.attributes.add(key="service.name", value=AnyValue(string_value="svc"))
    span = resource_spans.scope_spans.add().spans.add(name="s", trace_id=TRACE, span_id=SPAN)
    for key, value in span_fields.items():
        if isinstance(value, list):
            getattr(span, key).extend(value)
        else:
            setattr(span, key, value)
    return request


def _decode_one(request: ExportTraceServiceRequest) -> SpanRow:
    (row,) = decode_protobuf(request.SerializeToString()).block.rows()
    return row


def test_sdk_spans_decode_to_the_rows_the_collector_exporter_writes(sdk_spans):
    decoded = decode_protobuf(protobuf_body(sdk_spans))
    rows = _by_name(decoded.block.rows())
    root_context = next(span for span in sdk_spans if span.name == "task T-7").context
    call_context = next(span for span in sdk_spans if span.name == "chat gpt-5-mini").context
    trace_id = format(root_context.trace_id, "032x")

    assert decoded.rejected == []
    assert rows["task T-7"].parent_span_id == ""
    assert rows["task T-7"].span_kind == "Internal"
    assert rows["task T-7"].status_code == "Unset"
    assert rows["task T-7"].duration_ns == 5_000_000
    call = rows["chat gpt-5-mini"]
    resource = call.resource_attributes
    assert call.timestamp_ns == START_NS + 1_000
    assert call.trace_id == trace_id
    assert call.span_id == format(call_context.span_id, "016x")
    assert call.parent_span_id == format(root_context.span_id, "016x")
    assert call.trace_state == ""
    assert call.span_kind == "Client"
    assert call.service_name == "pm-agent"
    assert (resource["service.name"], resource["deployment.replicas"]) == ("pm-agent", "3")
    assert (call.scope_name, call.scope_version) == ("otel_agentcost.test", "1.2.3")
    assert call.span_attributes == {
        "gen_ai.request.model": "gpt-5-mini",
        "gen_ai.usage.input_tokens": "1200",
        "agentcost.grade": "0.25",
        "gen_ai.request.stream": "false",
        "gen_ai.response.finish_reasons": '["stop","length"]',
        "token.counts": "[1,2,3]",
        "ratios": "[1.5,2]",
        "flags": "[true,false]",
        "html": "<a & b>",
    }
    assert call.duration_ns == 1_000_000
    assert (call.status_code, call.status_message) == ("Error", "rate limited")
    assert call.events_timestamp_ns == [START_NS + 2_000]
    assert call.events_name == ["gen_ai.choice"]
    assert call.events_attributes == [{"index": "0", "finish": "stop"}]
    assert call.links_trace_id == ["0af7651916cd43dd8448eb211c80319c"]
    assert call.links_span_id == ["b7ad6b7169203331"]
    assert call.links_trace_state == [""]  # the Python encoder does not send a link's trace state
    assert call.links_attributes == [{"link.kind": "follows"}]


@pytest.mark.parametrize(
    ("snake_case", "int64_numbers"),
    [(False, False), (True, False), (False, True), (True, True)],
    ids=["camelCase+int64-strings", "snake_case", "int64-numbers", "snake_case+int64-numbers"],
)
def test_otlp_json_decodes_to_the_same_rows_as_protobuf(sdk_spans, snake_case, int64_numbers):
    request = encode_spans(sdk_spans)
    from_json = decode_json(json_body(request, snake_case=snake_case, int64_numbers=int64_numbers))
    assert from_json == decode_protobuf(protobuf_body(sdk_spans))
    assert len(from_json.block.rows()) == 2


def test_json_ids_are_hex_and_enums_may_be_integers():
    body = b"""{"resourceSpans": [{"scopeSpans": [{"spans": [{
        "traceId": "5B8EFFF798038103D269B633813FC60C", "spanId": "eee19b7ec3c1b174", "parentSpanId": "",
        "name": "s", "kind": 3, "startTimeUnixNano": 5, "endTimeUnixNano": "9", "status": {"code": 2},
        "unknownFutureField": {"ignored": true}}]}]}]}"""
    (row,) = decode_json(body).block.rows()
    assert (row.trace_id, row.span_id, row.parent_span_id) == (TRACE.hex(), SPAN.hex(), "")
    assert (row.span_kind, row.status_code, row.timestamp_ns, row.duration_ns) == ("Client", "Error", 5, 4)
    assert row.service_name == ""


def test_maps_are_json_with_sorted_keys_bytes_are_base64_and_an_empty_value_is_empty():
    kvlist = KeyValueList(
        values=[
            KeyValue(key="b", value=AnyValue(int_value=1)),
            KeyValue(key="a", value=AnyValue(array_value=ArrayValue(values=[AnyValue(bool_value=True), AnyValue()]))),
        ]
    )
    attributes = [
        KeyValue(key="map", value=AnyValue(kvlist_value=kvlist)),
        KeyValue(key="raw", value=AnyValue(bytes_value=b"\x00\xffhi")),
        KeyValue(key="empty", value=AnyValue()),
        KeyValue(key="dup", value=AnyValue(string_value="first")),
        KeyValue(key="dup", value=AnyValue(string_value="last")),
    ]
    row = _decode_one(_request(attributes=attributes))
    assert row.span_attributes == {"map": '{"a":[true,null],"b":1}', "raw": "AP9oaQ==", "empty": "", "dup": "last"}


def test_service_name_is_the_first_service_name_attribute_as_a_string():
    request = _request()
    resource = request.resource_spans[0].resource
    del resource.attributes[:]
    resource.attributes.add(key="service.name", value=AnyValue(int_value=7))
    resource.attributes.add(key="service.name", value=AnyValue(string_value="later"))
    row = _decode_one(request)
    assert row.service_name == "7"
    assert row.resource_attributes == {"service.name": "later"}


def test_all_zero_parent_and_link_ids_are_stored_empty_like_the_exporter_does():
    request = _request(parent_span_id=bytes(8), trace_state="congo=t61rcWkgMzE")
    request.resource_spans[0].scope_spans[0].spans[0].links.add(trace_id=bytes(16), span_id=b"", trace_state="a=b")
    row = _decode_one(request)
    assert (row.parent_span_id, row.links_trace_id, row.links_span_id) == ("", [""], [""])
    assert (row.trace_state, row.links_trace_state) == ("congo=t61rcWkgMzE", ["a=b"])


def test_a_span_ending_before_it_starts_has_zero_duration_and_unknown_enums_are_empty():
    request = _request(start_time_unix_nano=100, end_time_unix_nano=40, kind=9)
    request.resource_spans[0].scope_spans[0].spans[0].status.code = 7
    row = _decode_one(request)
    assert (row.duration_ns, row.span_kind, row.status_code) == (0, "", "")


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"trace_id": TRACE[:15]}, "spans[0].trace_id is 15 bytes; it must be 16 bytes (32 hex digits)"),
        ({"trace_id": TRACE + TRACE}, "spans[0].trace_id is 32 bytes; it must be 16 bytes (32 hex digits)"),
        ({"span_id": SPAN + b"\x01"}, "spans[0].span_id is 9 bytes; it must be 8 bytes"),
        ({"parent_span_id": b"\x01\x02"}, "spans[0].parent_span_id is 2 bytes"),
    ],
)
def test_an_id_of_the_wrong_length_refuses_the_whole_request_naming_the_span(fields, problem):
    request = _request(**fields)
    request.resource_spans[0].scope_spans[0].spans.add(name="fine", trace_id=TRACE, span_id=SPAN)
    with pytest.raises(PayloadError, match=re.escape(problem)):
        decode_protobuf(request.SerializeToString())


def test_a_link_id_of_the_wrong_length_refuses_the_request():
    request = _request()
    request.resource_spans[0].scope_spans[0].spans[0].links.add(trace_id=TRACE, span_id=b"\x01")
    with pytest.raises(PayloadError, match=r"spans\[0\]\.links\[0\]\.span_id is 1 bytes"):
        decode_protobuf(request.SerializeToString())


def test_json_ids_that_are_not_hex_refuse_the_request():
    body = b'{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"eee19b7ec3c1b174"}]}]}]}'
    problem = "resource_spans[0].scope_spans[0].spans[0].traceId 'zz' is not hex"
    with pytest.raises(PayloadError, match=re.escape(problem)):
        decode_json(body)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"trace_id": bytes(16)}, "trace_id is missing or all zeros"),
        ({"trace_id": b""}, "trace_id is missing or all zeros"),
        ({"span_id": bytes(8)}, "span_id is missing or all zeros"),
        ({"start_time_unix_nano": MAX_TIMESTAMP_NS + 1}, "past 2262-04-11"),
    ],
)
def test_an_unstorable_span_is_left_out_alone_and_reported(fields, problem):
    request = _request(**fields)
    request.resource_spans[0].scope_spans[0].spans.add(name="fine", trace_id=TRACE, span_id=SPAN)
    decoded = decode_protobuf(request.SerializeToString())
    assert [row.span_name for row in decoded.block.rows()] == ["fine"]
    assert len(decoded.rejected) == 1
    assert decoded.rejected[0].startswith("resource_spans[0].scope_spans[0].spans[0]: ")
    assert problem in decoded.rejected[0]


def test_an_event_past_2262_leaves_its_span_out():
    request = _request()
    request.resource_spans[0].scope_spans[0].spans[0].events.add(name="late", time_unix_nano=2**64 - 1)
    decoded = decode_protobuf(request.SerializeToString())
    assert decoded.block.rows() == []
    assert "event 'late'" in decoded.rejected[0]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"\xff\xff\xff\xff garbage", "not a protobuf ExportTraceServiceRequest"),
        (b"\x0a\x20\x0a\x05", "not a protobuf ExportTraceServiceRequest"),  # declares 32 bytes, carries 2
    ],
    ids=["garbage", "truncated"],
)
def test_bytes_that_are_not_an_export_request_refuse_the_request(body, problem):
    with pytest.raises(PayloadError, match=problem):
        decode_protobuf(body)


def test_a_truncated_real_request_is_refused(sdk_spans):
    body = protobuf_body(sdk_spans)
    with pytest.raises(PayloadError):
        decode_protobuf(body[: len(body) // 2])


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"resourceSpans": [', "not valid JSON"),
        (b"[1, 2]", "is a JSON object, got list"),
        (b'{"resourceSpans": [{"scopeSpans": "no"}]}', "not an OTLP/JSON ExportTraceServiceRequest"),
        (b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"startTimeUnixNano": "soon"}]}]}]}', "not an OTLP/JSON"),
        (b"[" * 100_000, "not valid JSON"),
    ],
    ids=["truncated", "array", "wrong-type", "bad-int64", "deep-nesting"],
)
def test_json_that_is_not_an_export_request_is_refused_with_the_reason(body, problem):
    with pytest.raises(PayloadError, match=problem):
        decode_json(body)


def test_an_empty_request_decodes_to_nothing():
    assert decode_protobuf(b"").block.rows() == []
    assert decode_json(b"{}").block.rows() == []


def test_the_receiver_writes_the_rows_the_in_process_exporter_writes_for_the_same_spans(sdk_spans):
    """Both paths into otel_traces agree, except on what the SDK's OTLP encoder never sends (a link's trace state):
    the receiver stores what arrives, as the collector would."""
    received = sorted(decode_protobuf(protobuf_body(sdk_spans)).block.rows())
    in_process = sorted(
        row._replace(links_trace_state=[""] * len(span.links))
        for span, row in zip(sdk_spans, span_block(sdk_spans).rows(), strict=True)
    )
    assert received == in_process


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (AnyValue(int_value=0), "0"),
        (AnyValue(int_value=127), "127"),
        (AnyValue(int_value=128), "128"),
        (AnyValue(int_value=2**63 - 1), str(2**63 - 1)),
        (AnyValue(int_value=-1), "-1"),
        (AnyValue(int_value=-(2**63)), str(-(2**63))),
        (AnyValue(string_value=""), ""),
        (AnyValue(string_value="é" * 70), "é" * 70),
        (AnyValue(string_value="x" * 300), "x" * 300),
        (AnyValue(double_value=0.5), "0.5"),
        (AnyValue(bool_value=True), "true"),
    ],
)
@pytest.mark.parametrize("key", ["k", "", "ключ", "k" * 127, "k" * 128, "k" * 300])
def test_attributes_of_every_size_decode_alike_whichever_way_they_are_read(key, value, stored):
    """Short string and int attributes are read straight from their bytes, the others by protobuf: same values."""
    request = _request(attributes=[KeyValue(key=key, value=value)])
    assert _decode_one(request).span_attributes == {key: stored}
    assert _decode_one(request).span_attributes == {key: stored}  # again, now from the table of known attributes
