"""OpenAPI descriptions of the Google REST request bodies (parsed with protobuf's JSON
mapping, not pydantic): for /docs, and for tools that generate requests from them."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from google.cloud.speech_v1 import RecognitionConfig
from google.cloud.texttospeech_v1 import AudioEncoding, SsmlVoiceGender

from parley.api.ws import streaming

DOCS_ASSETS = "/docs-assets"

_BOOLEAN = {"type": "boolean"}
_STRING = {"type": "string"}
_INTEGER = {"type": "integer", "format": "int32"}

RECOGNITION_CONFIG: dict[str, Any] = {
    "type": "object",
    "properties": {
        "encoding": {"type": "string", "enum": list(RecognitionConfig.AudioEncoding.__members__)},
        "sampleRateHertz": _INTEGER,
        "audioChannelCount": _INTEGER,
        "enableSeparateRecognitionPerChannel": _BOOLEAN,
        "languageCode": _STRING,
        "alternativeLanguageCodes": {"type": "array", "items": _STRING},
        "maxAlternatives": _INTEGER,
        "profanityFilter": _BOOLEAN,
        "speechContexts": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "phrases": {"type": "array", "items": _STRING},
                    "boost": {"type": "number"},
                },
            },
        },
        "enableWordTimeOffsets": _BOOLEAN,
        "enableWordConfidence": _BOOLEAN,
        "enableAutomaticPunctuation": _BOOLEAN,
        "model": _STRING,
        "useEnhanced": _BOOLEAN,
    },
}
RECOGNITION_AUDIO: dict[str, Any] = {
    "type": "object",
    "description": "exactly one of content (base64) and uri",
    "properties": {"content": {"type": "string", "format": "byte"}, "uri": _STRING},
}


RECOGNIZE_REQUEST: dict[str, Any] = {
    "type": "object",
    "required": ["config", "audio"],
    "properties": {"config": RECOGNITION_CONFIG, "audio": RECOGNITION_AUDIO},
}
SYNTHESIZE_REQUEST: dict[str, Any] = {
    "type": "object",
    "required": ["input", "voice", "audioConfig"],
    "properties": {
        "input": {
            "type": "object",
            "description": "exactly one of text, ssml and markup",
            "properties": {"text": _STRING, "ssml": _STRING, "markup": _STRING},
        },
        "voice": {
            "type": "object",
            "properties": {
                "languageCode": _STRING,
                "name": _STRING,
                "ssmlGender": {"type": "string", "enum": list(SsmlVoiceGender.__members__)},
            },
        },
        "audioConfig": {
            "type": "object",
            "required": ["audioEncoding"],
            "properties": {
                "audioEncoding": {"type": "string", "enum": list(AudioEncoding.__members__)},
                "speakingRate": {"type": "number"},
                "pitch": {"type": "number"},
                "volumeGainDb": {"type": "number"},
                "sampleRateHertz": _INTEGER,
                "effectsProfileId": {"type": "array", "items": _STRING},
            },
        },
    },
}


def request_body(description: str, schema: dict[str, Any] = RECOGNIZE_REQUEST) -> dict[str, Any]:
    """`openapi_extra` of a route whose body is `schema` (by default {config, audio})."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
    }


def swagger_assets() -> str:
    """The folder of Swagger UI's script and style sheet, shipped by fastapi-offline."""
    spec = importlib.util.find_spec("fastapi_offline")
    assert spec is not None, "fastapi-offline is a dependency"
    assert spec.origin is not None
    return str(Path(spec.origin).parent / "static")


def with_websocket(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI cannot describe a WebSocket; the live-streaming route is listed with its
    protocol in words, so /docs shows every door."""
    paths = schema.setdefault("paths", {})
    paths[streaming.PATH] = {
        "get": {
            "tags": ["streaming"],
            "summary": "Live recognition over a WebSocket (StreamingRecognize)",
            "description": streaming.__doc__,
            "parameters": [
                {
                    "name": "keepAudio",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "boolean"},
                    "description": "false: the stream is stored without its audio",
                }
            ],
            "responses": {
                "101": {"description": "Switching to the WebSocket protocol"},
                "401": {"description": "A key is required (send it, or as the first message)"},
                "403": {"description": "The page's origin is not allowed"},
                "429": {"description": "Every live stream is taken; try again later"},
            },
        }
    }
    return schema
