"""Transcripts as text, JSON, SubRip and WebVTT."""

from __future__ import annotations

import enum
import json
from typing import Any

from parley.domain.codec import transcript_to_dict
from parley.domain.transcript import Segment, Transcript


class TextFormat(enum.StrEnum):
    TXT = "txt"
    JSON = "json"
    SRT = "srt"
    VTT = "vtt"


def render(transcript: Transcript, fmt: TextFormat, extra: dict[str, Any] | None = None) -> str:
    if fmt is TextFormat.JSON:
        return json.dumps({**(extra or {}), **transcript_to_dict(transcript)}, ensure_ascii=False)
    if fmt is TextFormat.SRT:
        return "\n".join(_cue(i, s, ",") for i, s in enumerate(_cues(transcript), 1))
    if fmt is TextFormat.VTT:
        return "WEBVTT\n\n" + "\n".join(_cue(None, s, ".") for s in _cues(transcript))
    return "\n".join(_speaker(s, transcript) + s.text for s in transcript.segments)


def _cues(transcript: Transcript) -> list[Segment]:
    return [s for s in transcript.segments if s.text]


def _cue(index: int | None, segment: Segment, sep: str) -> str:
    head = f"{index}\n" if index is not None else ""
    times = f"{timestamp(segment.start, sep)} --> {timestamp(segment.end, sep)}"
    return f"{head}{times}\n{segment.text}\n"


def _speaker(segment: Segment, transcript: Transcript) -> str:
    return f"[channel {segment.channel}] " if transcript.channels > 1 and _split(transcript) else ""


def _split(transcript: Transcript) -> bool:
    return len({s.channel for s in transcript.segments}) > 1


def timestamp(seconds: float, sep: str) -> str:
    millis = round(max(seconds, 0.0) * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{millis:03d}"
