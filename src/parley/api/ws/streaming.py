"""Live recognition over a WebSocket, for browsers: the same messages and semantics as
gRPC StreamingRecognize, in Google's JSON mapping.

1. Connect to `/v1/speech:streamingrecognize` (HTTP 429 when all streams are taken).
2. Send one text message: a StreamingRecognizeRequest holding only `streamingConfig`.
3. Send audio as binary messages; send the text message `{"end": true}` when done.
4. Receive one text message per StreamingRecognizeResponse. The server closes the socket
   (code 1000) after the last result; on an error it first sends Google's JSON error
   body, then closes with 1008 (bad request), 1009 (too large), 1013 (full) or 1011."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from google.cloud.speech_v1 import StreamingRecognizeRequest
from google.protobuf import json_format

from parley.api.google.errors import internal_status, to_status
from parley.api.google.speech import GoogleSpeech
from parley.api.http.auth import access_of, key_of
from parley.api.http.errors import error_response, parley_error_response
from parley.api.http.guards import origin_allowed
from parley.domain.access import KEEP_AUDIO_HEADER, keeps_audio
from parley.errors import (
    ErrorCode,
    InvalidArgument,
    Overloaded,
    ParleyError,
    PermissionDenied,
    TooLarge,
)

logger = logging.getLogger(__name__)

PATH = "/v1/speech:streamingrecognize"
_CLOSE_CODES = {
    ErrorCode.INVALID_ARGUMENT: 1008,
    ErrorCode.UNAUTHENTICATED: 1008,
    ErrorCode.OUT_OF_RANGE: 1008,
    ErrorCode.RESOURCE_EXHAUSTED: 1013,
}


def router(speech: GoogleSpeech) -> APIRouter:
    routes = APIRouter()

    @routes.websocket(PATH)
    async def streaming_recognize(socket: WebSocket) -> None:
        access, secret = access_of(socket), key_of(socket)
        keep_audio = keeps_audio(
            socket.headers.get(KEEP_AUDIO_HEADER) or socket.query_params.get("keepAudio")
        )
        origin, host = socket.headers.get("origin"), socket.headers.get("host", "")
        try:
            if not origin_allowed(origin, host, socket.app.state.allowed_origins):
                raise PermissionDenied(f"pages from {origin!r} may not open live streams here")
            # A browser cannot set headers: without a key in the URL, the first message
            # may carry it ({"key": KEY}), checked before any audio is taken.
            caller = await access.authenticate(secret) if secret or not access.required else None
            if speech.streams_full():
                raise Overloaded("all live streams are in use; try again later")
        except ParleyError as error:
            await socket.send_denial_response(parley_error_response(error))
            return
        await socket.accept()
        try:
            if caller is None:
                caller = await access.authenticate(await _first_message_key(socket))
            caller = dataclasses.replace(caller, keep_audio=keep_audio, protocol="google-websocket")
            async for response in speech.streaming_recognize(_requests(socket), caller):
                await socket.send_text(json_format.MessageToJson(response, indent=None))
        except WebSocketDisconnect:
            return  # the client left; its stream is over and stored
        except ParleyError as error:
            await _close_with(socket, to_status(error), _close_code(error))
        except Exception:
            logger.exception("streaming over WebSocket failed")
            await _close_with(socket, internal_status("internal error"), 1011)
        else:
            with contextlib.suppress(WebSocketDisconnect):  # the client may close first
                await socket.close(1000)

    return routes


async def _requests(socket: WebSocket) -> AsyncIterator[Any]:
    """StreamingRecognizeRequest messages from the socket's messages, until `{"end": true}`
    or the client goes away."""
    while True:
        message = await socket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("bytes") is not None:
            yield StreamingRecognizeRequest.pb()(audio_content=message["bytes"])
            continue
        text = message.get("text") or ""
        if _is_end(text):
            return
        request = StreamingRecognizeRequest.pb()()
        try:
            json_format.Parse(text, request)
        except json_format.ParseError as error:
            raise InvalidArgument(
                f"a text message must be a StreamingRecognizeRequest in JSON or "
                f'{{"end": true}}: {error}',
                field="streaming_config",
            ) from error
        yield request


async def _first_message_key(socket: WebSocket) -> str | None:
    try:
        message = json.loads(await socket.receive_text())
    except (ValueError, KeyError):
        return None
    key = message.get("key") if isinstance(message, dict) else None
    return key if isinstance(key, str) else None


def _is_end(text: str) -> bool:
    try:
        return bool(json.loads(text) == {"end": True})
    except ValueError:
        return False


def _close_code(error: ParleyError) -> int:
    return 1009 if isinstance(error, TooLarge) else _CLOSE_CODES.get(error.code, 1011)


async def _close_with(socket: WebSocket, status: Any, code: int) -> None:
    response: JSONResponse = error_response(status)
    try:
        await socket.send_text(bytes(response.body).decode())
        await socket.close(code, reason=status.message.encode()[:120].decode(errors="ignore"))
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client is gone already
