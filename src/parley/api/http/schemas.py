"""OpenAPI descriptions of the Google REST request bodies (parsed with protobuf's JSON
mapping, not pydantic): for /docs, and for tools that generate requests from them."""

from __future__ import annotations

from typing import Any

from google.cloud.speech_v1 import RecognitionConfig

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


def request_body(description: str) -> dict[str, Any]:
    """`openapi_extra` of a route whose body is {config, audio}."""
    schema = {
        "type": "object",
        "required": ["config", "audio"],
        "properties": {"config": RECOGNITION_CONFIG, "audio": RECOGNITION_AUDIO},
    }
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
    }
