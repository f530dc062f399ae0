"""OTLP trace export requests (protobuf or OTLP/JSON) as blocks of `otel_traces` rows (store/block.py), in the
collector exporter's conventions.

Two kinds of bad input are told apart, as the OTLP/HTTP specification and the collector's own receiver do:

- a body that does not decode to a well-formed ExportTraceServiceRequest (bad protobuf or JSON, an id of the wrong
  length or not hex) raises `PayloadError`: the whole request is refused with 400 and nothing from it is stored;
- a well-formed span that `otel_traces` cannot hold meaningfully (an all-zero trace or span id, which the trace
  context specification calls invalid, or a time past 2262, beyond `DateTime64(9)`) is left out alone and
  reported, so the rest of the request is stored and the client is told through `partial_success`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.semconv.attributes.service_attributes import SERVICE_NAME

from otel_agentcost.receiver.wire import LeanExportTraceServiceRequest
from otel_agentcost.store.block import AttributeColumn, SpanBlock
from otel_agentcost.store.columns import NO_EVENTS_OR_LINKS, SPAN_KIND_NAMES, STATUS_CODE_NAMES
from otel_agentcost.store.values import attribute_string

TRACE_ID_BYTES = 16
SPAN_ID_BYTES = 8
# DateTime64(9) counts nanoseconds in an Int64: the last instant it holds is 2262-04-11T23:47:16.854775807Z.
MAX_TIMESTAMP_NS = 2**63 - 1
_ZERO_TRACE_ID = bytes(TRACE_ID_BYTES)
_ZERO_SPAN_ID = bytes(SPAN_ID_BYTES)

# Span and link fields that OTLP/JSON writes as hex strings (every other bytes field stays base64), by either of
# the key spellings a receiver must accept.
_SPAN_ID_FIELDS = {
    "traceId": TRACE_ID_BYTES,
    "trace_id": TRACE_ID_BYTES,
    "spanId": SPAN_ID_BYTES,
    "span_id": SPAN_ID_BYTES,
    "parentSpanId": SPAN_ID_BYTES,
    "parent_span_id": SPAN_ID_BYTES,
}
_LINK_ID_FIELDS = {key: size for key, size in _SPAN_ID_FIELDS.items() if "parent" not in key}


class PayloadError(ValueError):
    """The body is not a well-formed OTLP ExportTraceServiceRequest; the message says where and what is wrong."""


@dataclass
class DecodedSpans:
    block: SpanBlock  # the spans to store, in request order
    rejected: list[str] = field(default_factory=list)  # one message per span left out

    @property
    def size(self) -> int:
        return self.block.size


def decode_protobuf(body: bytes) -> DecodedSpans:
    """The spans of a request as a block, built column by column: each resource's and scope's columns are read once,
    not once per span, and span attributes go straight into the block's flat attribute column."""
    request = LeanExportTraceServiceRequest()
    try:
        request.ParseFromString(body)
    except (DecodeError, RecursionError) as error:
        raise _not_a_request(error) from None
    rows: list[tuple[Any, ...]] = []
    rejected: list[str] = []
    attributes = _Flat()
    for i, resource_spans in enumerate(request.resource_spans):
        resource = _resource_columns(resource_spans.resource.attributes)
        for j, scope_spans in enumerate(resource_spans.scope_spans):
            scope = scope_spans.scope
            shared = (*resource, scope.name, scope.version)
            for k, span in enumerate(scope_spans.spans):
                problem = _unstorable(span, f"resource_spans[{i}].scope_spans[{j}].spans[{k}]")
                if problem:
                    rejected.append(problem)
                else:
                    attributes.add(span.attributes)
                    rows.append(_span_row(span, shared))
    return DecodedSpans(SpanBlock.of_rows(rows, span_attributes=attributes.column()), rejected)


def decode_json(body: bytes) -> DecodedSpans:
    """Through the protobuf decoding (re-encoded once), so that both encodings are stored by the same code."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise PayloadError(f"body is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise PayloadError(f"an OTLP/JSON body is a JSON object, got {type(document).__name__}")
    request = ExportTraceServiceRequest()
    try:
        json_format.ParseDict(_hex_ids_as_base64(document), request, ignore_unknown_fields=True)
    except (json_format.ParseError, RecursionError) as error:
        raise PayloadError(f"body is not an OTLP/JSON ExportTraceServiceRequest: {error}") from None
    return decode_protobuf(request.SerializeToString())


def _not_a_request(error: Exception) -> PayloadError:
    return PayloadError(f"body is not a protobuf ExportTraceServiceRequest: {error}")


def _resource_columns(attributes: Sequence[bytes]) -> tuple[str, dict[str, str]]:
    """ServiceName and ResourceAttributes. The exporter reads service.name with pdata's Map.Get, which finds the
    first of duplicate keys."""
    pairs = _pairs_now(attributes)
    return next((value for key, value in pairs if key == SERVICE_NAME), ""), dict(pairs)


def _span_row(span: Any, shared: tuple[str, dict[str, str], str, str]) -> tuple[Any, ...]:
    """The span's row in SpanRow's order, but for its attributes (None: the block's attribute column holds them)."""
    service_name, resource_attributes, scope_name, scope_version = shared
    start = span.start_time_unix_nano
    end = span.end_time_unix_nano
    status = span.status
    events = span.events
    links = span.links
    nested = _nested(events, links) if events or links else NO_EVENTS_OR_LINKS
    return (
        start,
        span.trace_id.hex(),
        span.span_id.hex(),
        _hex_or_empty(span.parent_span_id),
        span.trace_state,
        span.name,
        SPAN_KIND_NAMES.get(span.kind, ""),
        service_name,
        resource_attributes,
        scope_name,
        scope_version,
        None,
        # pdata subtracts unsigned timestamps; a span that ends before it starts is stored as 0, not wrapped.
        end - start if end > start else 0,
        STATUS_CODE_NAMES.get(status.code, ""),
        status.message,
        *nested,
    )


def _nested(events: Sequence[Any], links: Sequence[Any]) -> tuple[list[Any], ...]:
    """The Events and Links columns: parallel arrays, as ClickHouse stores Nested."""
    return (
        [event.time_unix_nano for event in events],
        [event.name for event in events],
        [dict(_pairs_now(event.attributes)) for event in events],
        [_hex_or_empty(link.trace_id) for link in links],
        [_hex_or_empty(link.span_id) for link in links],
        [link.trace_state for link in links],
        [dict(_pairs_now(link.attributes)) for link in links],
    )


def _unstorable(span: Any, where: str) -> str | None:
    """Why the span is left out, or None. Raises PayloadError for an id length the collector's receiver refuses to
    decode at all (it takes an empty id as the all-zero one)."""
    trace_id = span.trace_id
    span_id = span.span_id
    if (
        len(trace_id) not in (0, TRACE_ID_BYTES)
        or len(span_id) not in (0, SPAN_ID_BYTES)
        or len(span.parent_span_id) not in (0, SPAN_ID_BYTES)
        or span.links
    ):
        _check_id_lengths(span, where)
    if trace_id == _ZERO_TRACE_ID or not trace_id:
        return f"{where}: trace_id is missing or all zeros, which is not a valid trace id"
    if span_id == _ZERO_SPAN_ID or not span_id:
        return f"{where}: span_id is missing or all zeros, which is not a valid span id"
    start = span.start_time_unix_nano
    if start > MAX_TIMESTAMP_NS:
        return f"{where}: start_time_unix_nano {start} is past 2262-04-11, beyond DateTime64(9)"
    events = span.events
    late = next((event for event in events if event.time_unix_nano > MAX_TIMESTAMP_NS), None) if events else None
    if late is not None:
        return (
            f"{where}: event {late.name!r} time_unix_nano {late.time_unix_nano} is past 2262-04-11, "
            "beyond DateTime64(9)"
        )
    return None


def _check_id_lengths(span: Any, where: str) -> None:
    fields = [(f"{where}.trace_id", span.trace_id, TRACE_ID_BYTES), (f"{where}.span_id", span.span_id, SPAN_ID_BYTES)]
    fields.append((f"{where}.parent_span_id", span.parent_span_id, SPAN_ID_BYTES))
    for n, link in enumerate(span.links):
        fields.append((f"{where}.links[{n}].trace_id", link.trace_id, TRACE_ID_BYTES))
        fields.append((f"{where}.links[{n}].span_id", link.span_id, SPAN_ID_BYTES))
    for name, value, size in fields:
        if len(value) not in (0, size):
            raise PayloadError(f"{name} is {len(value)} bytes; it must be {size} bytes ({2 * size} hex digits)")


def _hex_or_empty(value: bytes) -> str:
    """The exporter's TraceIDToHexOrEmptyString / SpanIDToHexOrEmptyString: the all-zero id is stored as ''."""
    return value.hex() if any(value) else ""


class _Flat:
    """A request's span attributes, one span after the other, as the block's flat attribute column.

    They arrive as the bytes of their KeyValue (wire.py). Most were seen in an earlier span and are looked up whole,
    in C; the others are parsed. A span's pairs go through a dict, which lets the last of duplicate keys win, as
    pdata's map does in the exporter.
    """

    def __init__(self) -> None:
        self._keys: list[str] = []
        self._values: list[str] = []
        self._ends: list[int] = []

    def add(self, attributes: Sequence[bytes]) -> None:
        found = dict(_pairs_now(attributes))
        self._keys.extend(found)
        self._values.extend(found.values())
        self._ends.append(len(self._keys))

    def column(self) -> AttributeColumn:
        return AttributeColumn(self._ends, self._keys, self._values)


def _pairs_now(attributes: Sequence[bytes]) -> list[tuple[str, str]]:
    """The pairs of `attributes`, in order."""
    pairs = list(map(_known.get, attributes))
    if not all(pairs):  # a truth test per pair: cheaper than comparing each with None
        for index, pair in enumerate(pairs):
            if pair is None:
                pairs[index] = _learned(attributes[index])
    return pairs  # type: ignore[return-value]  # every pair is filled in now


def _learned(raw: bytes) -> tuple[str, str]:
    """The pair of an attribute not in the current generation of known ones: taken over from the previous
    generation, else parsed. Memory is bounded: a full generation makes way for a new one, so the attributes that
    repeat are carried over as they come back while those seen once (token counts, ids) are dropped."""
    global _known, _older
    pair = _older.get(raw) or _short_attribute(raw) or _parsed(raw)
    if len(_known) >= _KNOWN_CAP:
        _older, _known = _known, {}
    _known[raw] = pair
    return pair


def _parsed(raw: bytes) -> tuple[str, str]:
    """An attribute parsed by the real KeyValue: one that _short_attribute does not read (long, not UTF-8, or neither
    a string nor a non-negative int)."""
    try:
        attribute = KeyValue.FromString(raw)
    except (DecodeError, RecursionError) as error:
        raise _not_a_request(error) from None
    return attribute.key, _stored(attribute.value)


def _short_attribute(raw: bytes) -> tuple[str, str] | None:
    """(key, value) of a KeyValue whose key, value and string are under 128 bytes each, encoded as protobuf encoders
    write it (the key, then the value, nothing else), holding a string or a non-negative int (a varint of up to 9
    bytes ending the bytes); else None, for the real parser, which also gets any key or string that is not UTF-8."""
    end = len(raw)
    if end < 6 or raw[0] != 0x0A or raw[1] >= 0x80:
        return None
    at = raw[1] + 2  # past the key
    if at + 3 >= end or raw[at] != 0x12 or raw[at + 1] != end - at - 2:
        return None
    tag = raw[at + 2]
    try:
        if tag == 0x0A and raw[at + 3] == end - at - 4:
            return raw[2:at].decode(), raw[at + 4 :].decode()
        if tag == 0x18 and end - at <= 12:
            value = raw[end - 1]
            if value >= 0x80:
                return None
            for byte in reversed(raw[at + 3 : end - 1]):
                if byte < 0x80:
                    return None
                value = value << 7 | byte & 0x7F
            return raw[2:at].decode(), str(value)
    except UnicodeDecodeError:
        return None
    return None


# Attributes by the bytes of their KeyValue, shared by every request: only bytes that parsed as a KeyValue get in.
_known: dict[bytes, tuple[str, str]] = {}
_older: dict[bytes, tuple[str, str]] = {}
# Attributes a generation holds: about 20 MB each, two at most. An LLM span brings some ten attributes never seen
# before (token counts, ids), so one generation covers several thousand spans' worth of those.
_KNOWN_CAP = 65536


def _stored(value: AnyValue) -> str:
    """pdata's Value.AsString(): an empty value is '' at the top level (it is JSON null only inside arrays/maps)."""
    if value.WhichOneof("value") is None:
        return ""
    return attribute_string(_python_value(value))


def _python_value(value: AnyValue) -> Any:
    """pdata's Value.AsRaw(), which the exporter marshals to JSON for arrays and maps."""
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_python_value(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        # AsRaw builds a Go map (the last duplicate wins) and encoding/json writes map keys sorted.
        raw = {kv.key: _python_value(kv.value) for kv in value.kvlist_value.values}
        return dict(sorted(raw.items()))
    if kind is None:
        return None
    return getattr(value, kind)


def _hex_ids_as_base64(document: dict[str, Any]) -> dict[str, Any]:
    """OTLP/JSON writes trace and span ids as hex, where protobuf's JSON mapping expects base64: translate them."""
    for where, span in _json_spans(document):
        _translate_ids(span, _SPAN_ID_FIELDS, where)
        for n, link in enumerate(_json_list(span, "links")):
            if isinstance(link, dict):
                _translate_ids(link, _LINK_ID_FIELDS, f"{where}.links[{n}]")
    return document


def _json_spans(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for i, resource_spans in enumerate(_json_list(document, "resourceSpans", "resource_spans")):
        if not isinstance(resource_spans, dict):
            continue  # ParseDict reports the wrong type with its position
        for j, scope_spans in enumerate(_json_list(resource_spans, "scopeSpans", "scope_spans")):
            if not isinstance(scope_spans, dict):
                continue
            for k, span in enumerate(_json_list(scope_spans, "spans")):
                if isinstance(span, dict):
                    yield f"resource_spans[{i}].scope_spans[{j}].spans[{k}]", span


def _json_list(obj: dict[str, Any], *keys: str) -> list[Any]:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, list):
            return value
    return []


def _translate_ids(obj: dict[str, Any], fields: dict[str, int], where: str) -> None:
    for key, size in fields.items():
        value = obj.get(key)
        if not isinstance(value, str):
            continue  # absent, or a type ParseDict refuses with its own message
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            raise PayloadError(
                f"{where}.{key} {value[:40]!r} is not hex; OTLP/JSON writes ids as {2 * size} hex digits"
            ) from None
        obj[key] = base64.b64encode(raw).decode("ascii")
