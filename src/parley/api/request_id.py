"""A request id per call, for the access log, a response header and error details.
Set by each transport when a call starts; read where an error is rendered."""

from __future__ import annotations

import contextvars
import re
import uuid

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_SANE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def start(offered: str | None = None) -> str:
    """A client's own id is kept when it is short and plain; otherwise a new one."""
    request_id = offered if offered and _SANE.match(offered) else uuid.uuid4().hex
    _current.set(request_id)
    return request_id


def current() -> str | None:
    return _current.get()
