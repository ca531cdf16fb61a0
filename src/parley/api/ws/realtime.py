"""OpenAI's Realtime API, transcription sessions: WebSocket `/v1/realtime?intent=transcription`
(`Authorization: Bearer <key>` as every route). Client events are JSON text messages;
server events likewise (see parley.api.openai.realtime)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse

from parley.api.http.auth import access_of, key_of
from parley.api.openai.errors import error_body
from parley.api.openai.realtime import RealtimeTranscription
from parley.domain.access import KEEP_AUDIO_HEADER, keeps_audio
from parley.errors import InvalidArgument, Overloaded, ParleyError
from parley.services.container import Services

logger = logging.getLogger(__name__)

PATH = "/v1/realtime"
MAX_MESSAGE_BYTES = 4 * 1024 * 1024  # one event: base64 audio of about a minute


def router(services: Services) -> APIRouter:
    routes = APIRouter()

    @routes.websocket(PATH)
    async def realtime(socket: WebSocket) -> None:
        try:
            if socket.query_params.get("intent") != "transcription":
                raise InvalidArgument(
                    "Parley serves transcription sessions only: connect with ?intent=transcription",
                    field="intent",
                )
            caller = await access_of(socket).authenticate(key_of(socket))
            keep = socket.headers.get(KEEP_AUDIO_HEADER) or socket.query_params.get("keepAudio")
            caller = dataclasses.replace(
                caller, keep_audio=keeps_audio(keep), protocol="openai-realtime"
            )
            streaming = services.streaming
            if streaming.open_streams >= streaming.limits.capacity:
                raise Overloaded("all live streams are in use; try again later")
        except ParleyError as error:
            status, body = error_body(error)
            await socket.send_denial_response(JSONResponse(body, status_code=status))
            return
        await socket.accept()

        async def send(event: dict[str, Any]) -> None:
            await socket.send_text(json.dumps(event))

        session = RealtimeTranscription(services, caller, send)
        try:
            await session.start()
            while True:
                message = await socket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                text = message.get("text")
                too_big = text is not None and len(text) > MAX_MESSAGE_BYTES
                await session.handle(None if too_big else text)
        except WebSocketDisconnect:
            return
        except Exception:
            logger.exception("a realtime session failed")
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                await socket.close(1011)
        finally:
            await session.close()

    return routes
