"""Transcripts as plain JSON-able dicts: the one shape the store and the CLI share."""

from __future__ import annotations

import dataclasses
from typing import Any

from parley.domain.transcript import (
    Alternative,
    PhraseHint,
    RecognitionOptions,
    Replacement,
    Segment,
    Task,
    Transcript,
    Word,
)


def transcript_to_dict(transcript: Transcript) -> dict[str, Any]:
    return {
        "text": transcript.text,
        "language": transcript.language,
        "duration": round(transcript.duration, 3),
        "model": transcript.model,
        "inference_seconds": round(transcript.inference_seconds, 3),
        "channels": transcript.channels,
        "segments": [segment_to_dict(s) for s in transcript.segments],
    }


def segment_to_dict(segment: Segment) -> dict[str, Any]:
    return {
        "start": segment.start,
        "end": segment.end,
        "text": segment.text,
        "confidence": segment.confidence,
        "language": segment.language,
        "channel": segment.channel,
        "words": [_word_to_dict(w) for w in segment.words],
        "alternatives": [
            {"text": a.text, "confidence": a.confidence} for a in segment.alternatives[1:]
        ],
    }


def _word_to_dict(word: Word) -> dict[str, Any]:
    return {"text": word.text, "start": word.start, "end": word.end, "confidence": word.confidence}


def transcript_from_dict(data: dict[str, Any]) -> Transcript:
    return Transcript(
        segments=tuple(segment_from_dict(s) for s in data["segments"]),
        language=data["language"],
        duration=data["duration"],
        model=data["model"],
        inference_seconds=data.get("inference_seconds", 0.0),
        channels=data.get("channels", 1),
    )


def segment_from_dict(data: dict[str, Any]) -> Segment:
    words = tuple(Word(w["text"], w["start"], w["end"], w["confidence"]) for w in data["words"])
    best = Alternative(data["text"], data["confidence"], words)
    others = tuple(Alternative(a["text"], a["confidence"]) for a in data["alternatives"])
    return Segment(
        start=data["start"],
        end=data["end"],
        alternatives=(best, *others),
        language=data["language"],
        channel=data.get("channel", 1),
    )


def options_to_dict(options: RecognitionOptions) -> dict[str, Any]:
    data = dataclasses.asdict(options)
    data["task"] = options.task.value
    return data


def options_from_dict(data: dict[str, Any]) -> RecognitionOptions:
    fields = dict(data)
    fields["task"] = Task(fields.get("task", Task.TRANSCRIBE.value))
    fields["phrases"] = tuple(PhraseHint(**p) for p in fields.get("phrases", ()))
    fields["replacements"] = tuple(Replacement(**r) for r in fields.get("replacements", ()))
    fields["alternative_languages"] = tuple(fields.get("alternative_languages", ()))
    return RecognitionOptions(**fields)
