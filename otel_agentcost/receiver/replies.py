"""OTLP/HTTP responses: ExportTraceServiceResponse on success, google.rpc.Status on failure, in the request's encoding.

A failure names what was wrong and what to do; a retryable one (429, 503) carries Retry-After, which the OTLP
exporters honour before they retry.
"""

from __future__ import annotations

from google.protobuf import json_format
from google.protobuf.message import Message
from google.rpc import code_pb2, status_pb2
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from starlette.responses import Response

PROTOBUF = "application/x-protobuf"
JSON = "application/json"

# How many rejected spans the partial_success message spells out; the count covers them all.
_REJECTIONS_SHOWN = 5

_RPC_CODES = {
    400: code_pb2.INVALID_ARGUMENT,
    401: code_pb2.UNAUTHENTICATED,
    413: code_pb2.RESOURCE_EXHAUSTED,
    415: code_pb2.INVALID_ARGUMENT,
    429: code_pb2.RESOURCE_EXHAUSTED,
    503: code_pb2.UNAVAILABLE,
}


def export_response(media_type: str, rejected: list[str]) -> Response:
    reply = ExportTraceServiceResponse()
    if rejected:
        reply.partial_success.rejected_spans = len(rejected)
        reply.partial_success.error_message = _rejection_message(rejected)
    return _encoded(200, reply, media_type)


def failure_response(status: int, message: str, media_type: str, *, retry_after: int | None = None) -> Response:
    reply = status_pb2.Status(code=_RPC_CODES.get(status, code_pb2.UNKNOWN), message=message)
    response = _encoded(status, reply, media_type)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _encoded(status: int, message: Message, media_type: str) -> Response:
    if media_type == PROTOBUF:
        return Response(message.SerializeToString(), status_code=status, media_type=PROTOBUF)
    return Response(json_format.MessageToJson(message, indent=None), status_code=status, media_type=JSON)


def _rejection_message(rejected: list[str]) -> str:
    shown = "; ".join(rejected[:_REJECTIONS_SHOWN])
    more = len(rejected) - _REJECTIONS_SHOWN
    suffix = f"; and {more} more" if more > 0 else ""
    return f"{len(rejected)} span(s) rejected and not stored: {shown}{suffix}"
