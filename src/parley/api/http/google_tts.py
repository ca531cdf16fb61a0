"""Google Text-to-Speech v1 over REST: JSON in Google's mapping of the same messages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from google.cloud.texttospeech_v1 import ListVoicesRequest, SynthesizeSpeechRequest
from google.protobuf import json_format

from parley.api.google.tts import MAX_INPUT_BYTES, GoogleTextToSpeech
from parley.api.http.auth import CallerDep, current_caller
from parley.api.http.body import read_json
from parley.api.http.google_speech import parse_json
from parley.api.http.schemas import SYNTHESIZE_REQUEST, request_body

# The text, and room for the voice and audio settings around it, JSON-escaped.
MAX_BODY_BYTES = 6 * MAX_INPUT_BYTES + 16 * 1024


def router(tts: GoogleTextToSpeech, body_seconds: float) -> APIRouter:
    routes = APIRouter()

    @routes.get("/v1/voices", dependencies=[Depends(current_caller)])
    async def list_voices(
        language_code: Annotated[str, Query(alias="languageCode")] = "",
    ) -> JSONResponse:
        return _json(tts.list_voices(ListVoicesRequest.pb()(language_code=language_code)))

    @routes.post(
        "/v1/text:synthesize",
        openapi_extra=request_body(
            "SynthesizeSpeechRequest in Google's JSON mapping", SYNTHESIZE_REQUEST
        ),
    )
    async def synthesize(request: Request, caller: CallerDep) -> JSONResponse:
        body = await read_json(request, MAX_BODY_BYTES, body_seconds)
        message = SynthesizeSpeechRequest.pb()()
        parse_json(body, message)
        return _json(await tts.synthesize(message, caller))

    return routes


def _json(message: object) -> JSONResponse:
    return JSONResponse(json_format.MessageToDict(message))  # type: ignore[arg-type]
