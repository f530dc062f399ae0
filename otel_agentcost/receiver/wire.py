"""A lean view of the OTLP trace export request, for decoding it fast: attribute lists stay as their wire bytes.

The receiver spends most of its time on attributes: reading a `KeyValue` through the protobuf package's Python
objects makes a message object for it and another for its `AnyValue`, per attribute of every span. Here the same
messages are declared again with every `repeated KeyValue` (and the resource's `entity_refs`, which are never stored)
as `repeated bytes`: parsing still happens in protobuf's C implementation, and each attribute comes out as the bytes
of its `KeyValue`, which repeat from span to span (the same model, provider, session...) and can be looked up whole.

The lean messages are derived from the real descriptors, so they have exactly their field numbers and types; only
the types named above change, and enums are read as their int32 values (proto3 enums are open: the same numbers come
out). Every field that is a message in the real schema has the same wire type as bytes, so a body parses here exactly
when it parses there, apart from what is inside the bytes, which the caller parses with the real `KeyValue`.
"""

from __future__ import annotations

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import InstrumentationScope
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

_PACKAGE = "otel_agentcost.receiver.lean"
# The messages declared again; any other message type inside them (KeyValue, EntityRef) is read as bytes.
_KEPT: tuple[Descriptor, ...] = tuple(
    message.DESCRIPTOR
    for message in (
        ExportTraceServiceRequest,
        ResourceSpans,
        Resource,
        ScopeSpans,
        InstrumentationScope,
        Span,
        Span.Event,
        Span.Link,
        Status,
    )
)
_FIELD = descriptor_pb2.FieldDescriptorProto


def _lean_name(descriptor: Descriptor) -> str:
    return descriptor.full_name.rpartition(".v1.")[2].replace(".", "")


def _lean_file() -> descriptor_pb2.FileDescriptorProto:
    kept = {f".{descriptor.full_name}": f".{_PACKAGE}.{_lean_name(descriptor)}" for descriptor in _KEPT}
    file = descriptor_pb2.FileDescriptorProto(name="otel_agentcost/receiver/lean.proto", package=_PACKAGE)
    file.syntax = "proto3"
    for descriptor in _KEPT:
        message = file.message_type.add()
        descriptor.CopyToProto(message)
        message.name = _lean_name(descriptor)
        del message.nested_type[:], message.enum_type[:]
        for field in message.field:
            if field.type == _FIELD.TYPE_MESSAGE and field.type_name in kept:
                field.type_name = kept[field.type_name]
            elif field.type in (_FIELD.TYPE_MESSAGE, _FIELD.TYPE_ENUM):
                field.type = _FIELD.TYPE_BYTES if field.type == _FIELD.TYPE_MESSAGE else _FIELD.TYPE_INT32
                field.ClearField("type_name")
    return file


def _lean_request_class() -> type[Message]:
    pool = descriptor_pool.DescriptorPool()
    pool.Add(_lean_file())
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{_PACKAGE}.ExportTraceServiceRequest"))


LeanExportTraceServiceRequest = _lean_request_class()
