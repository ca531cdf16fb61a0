"""A transcript in OpenAI's response formats: json, text, srt, vtt, verbose_json."""

from __future__ import annotations

import math
from typing import Any

from parley.domain.transcript import Segment, Transcript

FORMATS = ("json", "text", "srt", "vtt", "verbose_json")
GRANULARITIES = ("word", "segment")
MEDIA_TYPES = {
    "json": "application/json",
    "verbose_json": "application/json",
    "text": "text/plain; charset=utf-8",
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
}


def usage(transcript: Transcript) -> dict[str, Any]:
    return {"type": "duration", "seconds": math.ceil(transcript.duration)}


def as_json(transcript: Transcript, logprobs: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"text": transcript.text, "usage": usage(transcript)}
    if logprobs:
        body["logprobs"] = word_logprobs(transcript.segments)
    return body


def word_logprobs(segments: tuple[Segment, ...] | list[Segment]) -> list[dict[str, Any]]:
    """Each word with the log of its confidence (Parley's unit of recognition is the
    word, not the model's token)."""
    return [
        {
            "token": word.text,
            "logprob": round(math.log(max(word.confidence, 1e-6)), 4),
            "bytes": list(word.text.encode()),
        }
        for segment in segments
        for word in segment.words
    ]


def as_verbose(transcript: Transcript, task: str, granularities: tuple[str, ...]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "task": task,
        "language": transcript.language,
        "duration": round(transcript.duration, 3),
        "text": transcript.text,
        "usage": usage(transcript),
    }
    if "segment" in granularities or not granularities:
        body["segments"] = [_segment(i, s) for i, s in enumerate(transcript.segments)]
    if "word" in granularities:
        body["words"] = [
            {"word": w.text, "start": w.start, "end": w.end}
            for s in transcript.segments
            for w in s.words
        ]
    return body


def _segment(index: int, segment: Segment) -> dict[str, Any]:
    confidence = max(segment.confidence, 1e-6)
    return {
        "id": index,
        "seek": 0,
        "start": segment.start,
        "end": segment.end,
        "text": " " + segment.text,
        "tokens": [],
        "temperature": 0.0,
        "avg_logprob": round(math.log(confidence), 4),
        "compression_ratio": 1.0,
        "no_speech_prob": 0.0,
    }


def as_subtitles(transcript: Transcript, kind: str) -> str:
    """SubRip or WebVTT cues, one per segment."""
    separator = "," if kind == "srt" else "."
    cues = []
    for index, segment in enumerate(transcript.segments, start=1):
        span = (
            f"{_clock(segment.start, separator)} --> {_clock(segment.end, separator)}\n"
            f"{segment.text}\n"
        )
        cues.append(f"{index}\n{span}" if kind == "srt" else span)
    text = "\n".join(cues)
    return f"WEBVTT\n\n{text}" if kind == "vtt" else text


def _clock(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"
