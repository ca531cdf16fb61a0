"""A Realtime transcription session's settings: the defaults, a `session.update` checked
and merged into them, and what they ask of recognition."""

from __future__ import annotations

from typing import Any

from parley.api.openai import names
from parley.domain.audio import AudioEncoding, RawAudioFormat
from parley.domain.transcript import RecognitionOptions
from parley.errors import InvalidArgument

FORMATS = {
    "audio/pcm": (AudioEncoding.LINEAR16, 24000),
    "audio/pcmu": (AudioEncoding.MULAW, 8000),
    "audio/pcma": (AudioEncoding.ALAW, 8000),
}
DEFAULT_VAD = {
    "type": "server_vad",
    "threshold": 0.5,
    "prefix_padding_ms": 300,
    "silence_duration_ms": 450,
}


def new_session(session_id: str) -> dict[str, Any]:
    return {
        "type": "transcription",
        "id": session_id,
        "object": "realtime.transcription_session",
        "audio": {
            "input": {
                "format": {"type": "audio/pcm", "rate": 24000},
                "transcription": {"model": "whisper-1", "language": None, "prompt": ""},
                "turn_detection": dict(DEFAULT_VAD),
                "noise_reduction": None,
            }
        },
        "include": [],
    }


def updated_input(current: dict[str, Any], session: Any) -> dict[str, Any]:
    """`audio.input` with a session.update's changes, checked."""
    if not isinstance(session, dict) or session.get("type", "transcription") != "transcription":
        raise InvalidArgument(
            'session.update needs a session of type "transcription"', field="session"
        )
    wanted = dict(current)
    audio = session.get("audio") or {}
    wanted.update((audio.get("input") or {}) if isinstance(audio, dict) else {})
    fmt = wanted.get("format") or {}
    if not isinstance(fmt, dict) or fmt.get("type") not in FORMATS:
        raise InvalidArgument(
            f"audio.input.format.type is one of {', '.join(FORMATS)}", field="format"
        )
    rate = fmt.get("rate", FORMATS[fmt["type"]][1])
    if not isinstance(rate, int) or not 8000 <= rate <= 48000:
        raise InvalidArgument("audio.input.format.rate is 8000-48000 Hz", field="format")
    wanted["format"] = {**fmt, "rate": rate}
    asked = wanted.get("transcription") or {}
    if not isinstance(asked, dict):
        raise InvalidArgument("audio.input.transcription is an object", field="transcription")
    wanted["transcription"] = {**current["transcription"], **asked}
    detection = wanted.get("turn_detection")
    if detection is not None:
        if not isinstance(detection, dict) or detection.get("type") != "server_vad":
            raise InvalidArgument(
                'turn_detection is {"type": "server_vad", ...} or null', field="turn_detection"
            )
        wanted["turn_detection"] = {**DEFAULT_VAD, **detection}
        silence = wanted["turn_detection"]["silence_duration_ms"]
        if not isinstance(silence, int) or not 100 <= silence <= 10000:
            raise InvalidArgument(
                "turn_detection.silence_duration_ms is 100-10000", field="turn_detection"
            )
    return wanted


def options_of(audio_input: dict[str, Any]) -> RecognitionOptions:
    asked = audio_input["transcription"]
    return RecognitionOptions(
        model=names.transcription_model(asked.get("model") or "whisper-1"),
        language=asked.get("language") or None,
        prompt=asked.get("prompt") or "",
    )


def raw_format(audio_input: dict[str, Any]) -> RawAudioFormat:
    fmt = audio_input["format"]
    return RawAudioFormat(FORMATS[fmt["type"]][0], fmt["rate"])
