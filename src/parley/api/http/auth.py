"""The caller of an HTTP request or WebSocket, from the key it sends: the x-goog-api-key
header (Google's clients), Authorization: Bearer (OpenAI's), or ?key= (Google's REST)."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from parley.domain.access import KEEP_AUDIO_HEADER, Caller, keeps_audio
from parley.services.access import AccessService, bearer_or_plain


def key_of(connection: HTTPConnection) -> str | None:
    return (
        connection.headers.get("x-goog-api-key")
        or bearer_or_plain(connection.headers.get("authorization"))
        or connection.query_params.get("key")
    )


def access_of(connection: HTTPConnection) -> AccessService:
    access: AccessService = connection.app.state.access
    return access


async def current_caller(connection: HTTPConnection) -> Caller:
    """A dependency: FastAPI runs it before the route reads any of the body. The audio
    opt-out comes as a header, or as ?keepAudio=false (a browser's WebSocket)."""
    caller = await access_of(connection).authenticate(key_of(connection))
    wish = connection.headers.get(KEEP_AUDIO_HEADER) or connection.query_params.get("keepAudio")
    return dataclasses.replace(
        caller, keep_audio=keeps_audio(wish), protocol=protocol_of(connection.url.path)
    )


def protocol_of(path: str) -> str:
    """The API a REST route belongs to, as the history records it."""
    return "openai" if path.startswith("/v1/audio/") else "google-rest"


CallerDep = Annotated[Caller, Depends(current_caller)]
