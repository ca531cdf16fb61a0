"""Google Speech-to-Text v1 over REST: JSON in Google's mapping of the same messages."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from google.cloud.speech_v1 import LongRunningRecognizeRequest, RecognizeRequest
from google.protobuf import json_format

from parley.api.google.speech import MAX_CONTENT_BYTES, GoogleSpeech
from parley.api.http.auth import CallerDep
from parley.api.http.body import read_json
from parley.api.http.schemas import request_body
from parley.errors import InvalidArgument

# Base64 makes 10 MB of audio about 13.4 MB of JSON.
MAX_BODY_BYTES = MAX_CONTENT_BYTES * 4 // 3 + 64 * 1024


def router(speech: GoogleSpeech, body_seconds: float) -> APIRouter:
    routes = APIRouter()

    @routes.post(
        "/v1/speech:recognize",
        openapi_extra=request_body("RecognizeRequest in Google's JSON mapping; audio up to 1 min"),
    )
    async def recognize(request: Request, caller: CallerDep) -> JSONResponse:
        message = await _parse(request, RecognizeRequest.pb()(), body_seconds)
        return _json(await speech.recognize(message, caller))

    @routes.post(
        "/v1/speech:longrunningrecognize",
        openapi_extra=request_body("LongRunningRecognizeRequest; audio up to 480 min"),
    )
    async def long_running(request: Request, caller: CallerDep) -> JSONResponse:
        message = await _parse(request, LongRunningRecognizeRequest.pb()(), body_seconds)
        return _json(await speech.long_running_recognize(message, caller))

    @routes.get("/v1/operations")
    async def list_operations(
        caller: CallerDep,
        filter_: Annotated[str, Query(alias="filter")] = "",
        page_size: Annotated[int, Query(alias="pageSize", ge=0)] = 0,
        page_token: Annotated[str, Query(alias="pageToken")] = "",
    ) -> JSONResponse:
        return _json(await speech.list_operations(filter_, page_size, page_token, caller))

    @routes.get("/v1/operations/{name:path}")
    async def get_operation(name: str, caller: CallerDep) -> JSONResponse:
        return _json(await speech.get_operation(name, caller))

    @routes.post("/v1/operations/{name:path}:cancel")
    async def cancel_operation(name: str, caller: CallerDep) -> JSONResponse:
        await speech.cancel_operation(name, caller)
        return JSONResponse({})

    @routes.delete("/v1/operations/{name:path}")
    async def delete_operation(name: str, caller: CallerDep) -> JSONResponse:
        await speech.delete_operation(name, caller)
        return JSONResponse({})

    return routes


async def _parse(request: Request, message: Any, seconds: float) -> Any:
    body = await read_json(request, MAX_BODY_BYTES, seconds)
    # Off the event loop: a body of megabytes of JSON takes a while to parse.
    await anyio.to_thread.run_sync(parse_json, body, message)
    return message


def parse_json(body: bytes, message: Any) -> None:
    try:
        json_format.Parse(body or b"{}", message)
    except (json_format.ParseError, ValueError, RecursionError) as error:
        raise InvalidArgument(f"Invalid JSON payload: {error}") from error


def _json(message: Any) -> JSONResponse:
    return JSONResponse(json_format.MessageToDict(message))
