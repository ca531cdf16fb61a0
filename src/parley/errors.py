"""One error tree for the whole product; each transport maps `code` to its own statuses."""

from __future__ import annotations

import enum


class ErrorCode(enum.StrEnum):
    INVALID_ARGUMENT = "invalid_argument"
    NOT_FOUND = "not_found"
    RESOURCE_EXHAUSTED = "resource_exhausted"
    FAILED_PRECONDITION = "failed_precondition"
    CANCELLED = "cancelled"
    DEADLINE_EXCEEDED = "deadline_exceeded"
    OUT_OF_RANGE = "out_of_range"
    UNAUTHENTICATED = "unauthenticated"
    PERMISSION_DENIED = "permission_denied"
    INTERNAL = "internal"


class ParleyError(Exception):
    """Base of every error Parley raises on purpose. `field` names the input at fault."""

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments defeat Exception's pickling; errors cross process bounds.
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(
    cls: type[ParleyError], args: tuple[object, ...], state: dict[str, object]
) -> ParleyError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class InvalidArgument(ParleyError):
    code = ErrorCode.INVALID_ARGUMENT


class InvalidAudio(InvalidArgument):
    """The audio cannot be decoded: corrupt, truncated, not audio, or contradicts its header."""


class EmptyAudio(InvalidAudio):
    """The audio holds no samples at all."""


class UnsupportedEncoding(InvalidArgument):
    """A codec or encoding Parley cannot read or write."""


class UnknownModel(InvalidArgument):
    pass


class UnknownVoice(InvalidArgument):
    pass


class UnsupportedLanguage(InvalidArgument):
    pass


class NotFound(ParleyError):
    code = ErrorCode.NOT_FOUND


class TooLarge(InvalidArgument):
    """Audio or a request over a size or length limit (`actual` > `limit`, in its unit)."""

    def __init__(self, message: str, *, field: str, limit: float, actual: float) -> None:
        super().__init__(message, field=field)
        self.limit = limit
        self.actual = actual


class RequestTooLarge(TooLarge):
    """A request body over the size limit, refused before or while it is read."""


class UnsupportedMediaType(InvalidArgument):
    """A request body of a content type the route does not take."""


class RequestTimeout(ParleyError):
    """The client did not send its request in time."""

    code = ErrorCode.DEADLINE_EXCEEDED


class StreamTimeout(ParleyError):
    """A live stream whose audio stopped coming (or came too slowly), or that ran too long."""

    code = ErrorCode.OUT_OF_RANGE


class Unauthenticated(ParleyError):
    """No API key, or one that is not known (or was revoked)."""

    code = ErrorCode.UNAUTHENTICATED


class PermissionDenied(ParleyError):
    """A known caller asking for something it may not do."""

    code = ErrorCode.PERMISSION_DENIED


class Overloaded(ParleyError):
    """The server is at capacity; the caller may retry later."""

    code = ErrorCode.RESOURCE_EXHAUSTED


class EngineCrashed(ParleyError):
    """An inference worker died on this input, and again when it was tried once more."""


class Misconfigured(ParleyError):
    """Settings that cannot be served safely or at all (found before serving starts)."""

    code = ErrorCode.FAILED_PRECONDITION


class ModelUnavailable(ParleyError):
    """A model's package is missing or its files cannot be loaded."""

    code = ErrorCode.FAILED_PRECONDITION


__all__ = [
    "EmptyAudio",
    "EngineCrashed",
    "ErrorCode",
    "InvalidArgument",
    "InvalidAudio",
    "Misconfigured",
    "ModelUnavailable",
    "NotFound",
    "Overloaded",
    "ParleyError",
    "PermissionDenied",
    "RequestTimeout",
    "RequestTooLarge",
    "StreamTimeout",
    "TooLarge",
    "Unauthenticated",
    "UnknownModel",
    "UnknownVoice",
    "UnsupportedEncoding",
    "UnsupportedLanguage",
    "UnsupportedMediaType",
]
