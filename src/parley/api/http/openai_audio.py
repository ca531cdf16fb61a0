"""OpenAI's audio API over HTTP: /v1/audio/transcriptions, /v1/audio/translations,
/v1/audio/speech, /v1/models. Errors in OpenAI's shape (see errors.py)."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from parley.api.http.auth import CallerDep
from parley.api.http.body import read_body, read_json
from parley.api.openai.audio import OpenAIAudio, SpeechRequest, TranscriptionRequest
from parley.api.openai.transcripts import MEDIA_TYPES
from parley.audio.encode import MEDIA_TYPES as AUDIO_MEDIA_TYPES
from parley.domain.transcript import Task
from parley.errors import InvalidArgument, UnsupportedMediaType

MAX_UPLOAD_BYTES = 25 * 1024 * 1024  # OpenAI's limit for an uploaded file
MAX_FORM_BYTES = MAX_UPLOAD_BYTES + 64 * 1024  # the file and the fields around it
MAX_SPEECH_BODY_BYTES = 64 * 1024
_LISTS = ("timestamp_granularities[]", "include[]", "languages[]", "keywords[]")
_FIELDS = {"file", "model", "language", "prompt", "response_format", "temperature", "stream"}
# Accepted and without effect: Parley chooses its own cuts.
_IGNORED = {"chunking_strategy"}
_SPEECH_FIELDS = {
    "input",
    "model",
    "voice",
    "response_format",
    "speed",
    "stream_format",
    "instructions",
}


def router(audio: OpenAIAudio, body_seconds: float) -> APIRouter:
    routes = APIRouter()

    async def recognize(request: Request, caller: CallerDep, task: Task) -> Response:
        form = await _form(request, body_seconds)
        wanted = _transcription(form, task)
        if _flag(form, "stream"):
            events = audio.transcribe_events(wanted, caller)
            return StreamingResponse(_sse(await _primed(events)), media_type="text/event-stream")
        body = audio.render(wanted, await audio.transcribe(wanted, caller))
        media = MEDIA_TYPES[wanted.response_format]
        if isinstance(body, str):
            return PlainTextResponse(body, media_type=media)
        return JSONResponse(body)

    @routes.post("/v1/audio/transcriptions")
    async def transcriptions(request: Request, caller: CallerDep) -> Response:
        return await recognize(request, caller, Task.TRANSCRIBE)

    @routes.post("/v1/audio/translations")
    async def translations(request: Request, caller: CallerDep) -> Response:
        return await recognize(request, caller, Task.TRANSLATE)

    @routes.post("/v1/audio/speech")
    async def speech(request: Request, caller: CallerDep) -> Response:
        wanted = _speech(await read_json(request, MAX_SPEECH_BODY_BYTES, body_seconds))
        options = audio.speech_options(wanted)
        chunks = await _primed(audio.speak(wanted, options, caller))
        if wanted.stream_format == "sse":
            return StreamingResponse(_sse(_speech_events(chunks)), media_type="text/event-stream")
        return StreamingResponse(chunks, media_type=AUDIO_MEDIA_TYPES[options.format])

    @routes.get("/v1/models")
    async def models(_: CallerDep) -> JSONResponse:
        return JSONResponse({"object": "list", "data": audio.models()})

    @routes.get("/v1/models/{name:path}")
    async def model(name: str, _: CallerDep) -> JSONResponse:
        return JSONResponse(audio.model(name))

    return routes


async def _form(request: Request, seconds: float) -> FormData:
    media = request.headers.get("content-type", "")
    if not media.lower().startswith("multipart/form-data"):
        raise UnsupportedMediaType(
            "send the audio as multipart/form-data with a `file` part", field="file"
        )
    body = await read_body(request, MAX_FORM_BYTES, seconds)

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        return await Request(request.scope, replay).form(max_files=1, max_fields=64)
    except HTTPException as error:
        raise InvalidArgument(f"the multipart body cannot be read: {error.detail}") from error


def _transcription(form: FormData, task: Task) -> TranscriptionRequest:
    for key in form:
        if key not in _FIELDS and key not in _LISTS and key not in _IGNORED:
            raise InvalidArgument(f"Unrecognized request argument supplied: {key}", field=key)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidArgument("a `file` part with the audio is required", field="audio")
    data = upload.file.read()
    if not data:
        raise InvalidArgument("the uploaded file is empty", field="audio")
    model = _text(form, "model")
    if not model:
        raise InvalidArgument("`model` is required, e.g. whisper-1", field="model")
    return TranscriptionRequest(
        audio=data,
        filename=upload.filename,
        model=model,
        task=task,
        language=_text(form, "language"),
        languages=_list(form, "languages[]"),
        prompt=_text(form, "prompt"),
        keywords=_list(form, "keywords[]"),
        response_format=_text(form, "response_format") or "json",
        temperature=_number(form, "temperature", 0.0),
        granularities=_list(form, "timestamp_granularities[]"),
        logprobs="logprobs" in _list(form, "include[]"),
    )


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidArgument(f"`{key}` must be text, not a file", field=key)
    return (value or "").strip()


def _list(form: FormData, key: str) -> tuple[str, ...]:
    values = form.getlist(key)
    if any(not isinstance(v, str) for v in values):
        raise InvalidArgument(f"`{key}` must be text, not a file", field=key)
    return tuple(str(v).strip() for v in values)


def _number(form: FormData, key: str, default: float) -> float:
    text = _text(form, key)
    try:
        return float(text) if text else default
    except ValueError:
        raise InvalidArgument(f"`{key}` must be a number, not {text!r}", field=key) from None


def _flag(form: FormData, key: str) -> bool:
    text = _text(form, key).lower()
    if text not in ("", "true", "false"):
        raise InvalidArgument(f"`{key}` must be true or false", field=key)
    return text == "true"


def _speech(body: bytes) -> SpeechRequest:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidArgument(f"the body is not valid JSON: {error}", field="body") from error
    if not isinstance(data, dict):
        raise InvalidArgument("the body must be a JSON object", field="body")
    for key in data:
        if key not in _SPEECH_FIELDS:
            raise InvalidArgument(f"Unrecognized request argument supplied: {key}", field=key)
    for key in ("input", "model", "voice"):
        if not isinstance(data.get(key), str):
            raise InvalidArgument(f"`{key}` is required, as a string", field=key)
    speed = data.get("speed", 1.0)
    if isinstance(speed, bool) or not isinstance(speed, int | float):
        raise InvalidArgument("`speed` must be a number from 0.25 to 4", field="rate")
    text_fields = ("response_format", "stream_format", "instructions")
    if any(not isinstance(data.get(k, ""), str) for k in text_fields):
        raise InvalidArgument("response_format, stream_format and instructions are strings")
    return SpeechRequest(
        input=data["input"],
        model=data["model"],
        voice=data["voice"],
        response_format=data.get("response_format", "mp3"),
        speed=float(speed),
        stream_format=data.get("stream_format", "audio"),
        instructions=data.get("instructions", ""),
    )


async def _primed(items: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """The first item is made before the response starts, so that bad input is still an
    error response and not a broken stream."""
    try:
        first = await anext(items)
    except StopAsyncIteration:
        first = None

    async def chained() -> AsyncIterator[Any]:
        if first is not None:
            yield first
        async for item in items:
            yield item

    return chained()


async def _speech_events(chunks: AsyncIterator[bytes]) -> AsyncIterator[dict[str, Any]]:
    async for chunk in chunks:
        if chunk:
            yield {"type": "speech.audio.delta", "audio": base64.b64encode(chunk).decode()}
    usage = {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
    yield {"type": "speech.audio.done", "usage": usage}


async def _sse(events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    async for event in events:
        yield f"data: {json.dumps(event)}\n\n".encode()
