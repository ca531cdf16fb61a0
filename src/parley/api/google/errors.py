"""Parley's errors as Google's `google.rpc.Status`, for both transports."""

from __future__ import annotations

from typing import Any

from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

from parley.api import request_id as request_ids
from parley.errors import ErrorCode, ParleyError

RPC_CODES = {
    ErrorCode.INVALID_ARGUMENT: code_pb2.INVALID_ARGUMENT,
    ErrorCode.NOT_FOUND: code_pb2.NOT_FOUND,
    ErrorCode.RESOURCE_EXHAUSTED: code_pb2.RESOURCE_EXHAUSTED,
    ErrorCode.FAILED_PRECONDITION: code_pb2.FAILED_PRECONDITION,
    ErrorCode.CANCELLED: code_pb2.CANCELLED,
    ErrorCode.DEADLINE_EXCEEDED: code_pb2.DEADLINE_EXCEEDED,
    ErrorCode.OUT_OF_RANGE: code_pb2.OUT_OF_RANGE,
    ErrorCode.UNAUTHENTICATED: code_pb2.UNAUTHENTICATED,
    ErrorCode.PERMISSION_DENIED: code_pb2.PERMISSION_DENIED,
    ErrorCode.INTERNAL: code_pb2.INTERNAL,
}
HTTP_STATUS = {
    code_pb2.INVALID_ARGUMENT: 400,
    code_pb2.FAILED_PRECONDITION: 400,
    code_pb2.NOT_FOUND: 404,
    code_pb2.RESOURCE_EXHAUSTED: 429,
    code_pb2.CANCELLED: 499,
    code_pb2.DEADLINE_EXCEEDED: 504,
    code_pb2.OUT_OF_RANGE: 400,
    code_pb2.UNAUTHENTICATED: 401,
    code_pb2.PERMISSION_DENIED: 403,
    code_pb2.UNIMPLEMENTED: 501,
    code_pb2.INTERNAL: 500,
}
MAX_MESSAGE_CHARS = 500
# Parley's field names -> where the field sits in Google's request messages.
_FIELDS = {
    "audio": "audio",
    "sample_rate": "config.sample_rate_hertz",
    "channels": "config.audio_channel_count",
    "encoding": "config.encoding",
    "language": "config.language_code",
    "alternative_language_codes": "config.alternative_language_codes",
    "model": "config.model",
    "max_alternatives": "config.max_alternatives",
    "phrases": "config.speech_contexts",
    "task": "config.model",
}


def to_status(error: ParleyError) -> Any:
    """A `google.rpc.Status` carrying a BadRequest field violation where a field is known.
    Messages are cut short: they may quote what a client sent, and gRPC trailers are small."""
    code = RPC_CODES[error.code]
    message = _short(error.message)
    status = status_pb2.Status(code=code, message=message)
    if error.field:
        field = _short(_FIELDS.get(error.field, error.field))
        violation = error_details_pb2.BadRequest.FieldViolation(field=field, description=message)
        _add(status, error_details_pb2.BadRequest(field_violations=[violation]))
    _add_request_id(status)
    return status


def _add(status: Any, detail_message: Any) -> None:
    detail = any_pb2.Any()
    detail.Pack(detail_message)
    status.details.append(detail)


def _add_request_id(status: Any) -> None:
    request_id = request_ids.current()
    if request_id:
        _add(status, error_details_pb2.RequestInfo(request_id=request_id))


def _short(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


def internal_status(message: str) -> Any:
    status = status_pb2.Status(code=code_pb2.INTERNAL, message=message)
    _add_request_id(status)
    return status
