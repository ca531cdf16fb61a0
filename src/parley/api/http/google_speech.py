"""Google Speech-to-Text v1 over REST: JSON in Google's mapping of the same messages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from google.cloud.speech_v1 import LongRunningRecognizeRequest, RecognizeRequest
from google.protobuf import json_format

from parley.api.google.speech import MAX_CONTENT_BYTES, GoogleSpeech
from parley.errors import InvalidArgument, TooLarge

# Base64 makes 10 MB of audio about 13.4 MB of JSON.
MAX_BODY_BYTES = MAX_CONTENT_BYTES * 4 // 3 + 64 * 1024


def router(speech: GoogleSpeech) -> APIRouter:
    routes = APIRouter()

    @routes.post("/v1/speech:recognize")
    async def recognize(request: Request) -> JSONResponse:
        message = await _parse(request, RecognizeRequest.pb()())
        return _json(await speech.recognize(message))

    @routes.post("/v1/speech:longrunningrecognize")
    async def long_running(request: Request) -> JSONResponse:
        message = await _parse(request, LongRunningRecognizeRequest.pb()())
        return _json(await speech.long_running_recognize(message))

    @routes.get("/v1/operations")
    async def list_operations(
        filter_: Annotated[str, Query(alias="filter")] = "",
        page_size: Annotated[int, Query(alias="pageSize", ge=0)] = 0,
        page_token: Annotated[str, Query(alias="pageToken")] = "",
    ) -> JSONResponse:
        return _json(await speech.list_operations(filter_, page_size, page_token))

    @routes.get("/v1/operations/{name:path}")
    async def get_operation(name: str) -> JSONResponse:
        return _json(await speech.get_operation(name))

    @routes.post("/v1/operations/{name:path}:cancel")
    async def cancel_operation(name: str) -> JSONResponse:
        await speech.cancel_operation(name)
        return JSONResponse({})

    @routes.delete("/v1/operations/{name:path}")
    async def delete_operation(name: str) -> JSONResponse:
        await speech.delete_operation(name)
        return JSONResponse({})

    return routes


async def _parse(request: Request, message: Any) -> Any:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise TooLarge(
            f"Request payload size exceeds the limit: {MAX_CONTENT_BYTES} bytes.",
            field="audio.content",
            limit=MAX_BODY_BYTES,
            actual=len(body),
        )
    try:
        json_format.Parse(body or b"{}", message)
    except json_format.ParseError as error:
        raise InvalidArgument(f"Invalid JSON payload: {error}") from error
    return message


def _json(message: Any) -> JSONResponse:
    return JSONResponse(json_format.MessageToDict(message))
