"""Parley's errors in OpenAI's shape: {"error": {"message", "type", "param", "code"}}."""

from __future__ import annotations

from typing import Any

from parley.errors import (
    ErrorCode,
    Overloaded,
    ParleyError,
    PermissionDenied,
    RequestTimeout,
    TooLarge,
    Unauthenticated,
    UnknownModel,
    UnknownVoice,
    UnsupportedMediaType,
)

MAX_MESSAGE_CHARS = 500
# Parley's field names -> the parameter OpenAI's API calls them.
PARAMS = {
    "audio": "file",
    "body": "file",
    "language": "language",
    "model": "model",
    "prompt": "prompt",
    "temperature": "temperature",
    "text": "input",
    "voice": "voice",
    "rate": "speed",
    "format": "response_format",
}
# (HTTP status, OpenAI's error type, OpenAI's code), most specific first.
_KINDS: list[tuple[type[ParleyError], int, str, str | None]] = [
    (UnknownModel, 404, "invalid_request_error", "model_not_found"),
    (UnknownVoice, 400, "invalid_request_error", "invalid_value"),
    (TooLarge, 413, "invalid_request_error", "request_too_large"),
    (UnsupportedMediaType, 415, "invalid_request_error", "unsupported_media_type"),
    (RequestTimeout, 408, "invalid_request_error", "request_timeout"),
    (Unauthenticated, 401, "authentication_error", "invalid_api_key"),
    (PermissionDenied, 403, "permission_error", None),
    (Overloaded, 429, "rate_limit_error", "rate_limit_exceeded"),
]
_BY_CODE = {
    ErrorCode.INVALID_ARGUMENT: (400, "invalid_request_error", "invalid_value"),
    ErrorCode.FAILED_PRECONDITION: (400, "invalid_request_error", None),
    ErrorCode.OUT_OF_RANGE: (400, "invalid_request_error", None),
    ErrorCode.NOT_FOUND: (404, "invalid_request_error", "not_found"),
    ErrorCode.CANCELLED: (499, "invalid_request_error", None),
    ErrorCode.DEADLINE_EXCEEDED: (504, "server_error", "timeout"),
}


class OpenAIError(ParleyError):
    """An error that already has OpenAI's words for itself (status, type, code)."""

    def __init__(
        self, message: str, *, status: int, param: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message, field=param)
        self.status = status
        self.kind = "invalid_request_error" if status < 500 else "server_error"
        self.error_code = code


def error_body(error: ParleyError) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) for a Parley error."""
    if isinstance(error, OpenAIError):
        status, kind, code = error.status, error.kind, error.error_code
    else:
        status, kind, code = next(
            ((s, k, c) for t, s, k, c in _KINDS if isinstance(error, t)),
            _BY_CODE.get(error.code, (500, "server_error", None)),
        )
    message = error.message if status < 500 else "internal error"
    param = PARAMS.get(error.field or "", error.field) if status < 500 else None
    return status, _body(message[:MAX_MESSAGE_CHARS], kind, param, code)


def internal_body() -> dict[str, Any]:
    return _body("internal error", "server_error", None, None)


def _body(message: str, kind: str, param: str | None, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}
