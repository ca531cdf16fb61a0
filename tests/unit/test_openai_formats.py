"""A transcript in OpenAI's response formats."""

from __future__ import annotations

import io

import srt
import webvtt

from parley.api.openai.transcripts import as_json, as_subtitles, as_verbose
from parley.domain.transcript import Alternative, Segment, Transcript, Word


def _transcript() -> Transcript:
    def segment(start: float, end: float, text: str) -> Segment:
        step = (end - start) / len(text.split())
        words = tuple(
            Word(w, start + i * step, start + (i + 1) * step, 0.9)
            for i, w in enumerate(text.split())
        )
        return Segment(start, end, (Alternative(text, 0.9, words),), "en")

    return Transcript(
        segments=(segment(0.5, 2.0, "Hello there."), segment(3661.25, 3663.5, "Goodbye now.")),
        language="en",
        duration=3664.0,
        model="whisper-base",
    )


def test_srt_cues_use_hours_and_commas() -> None:
    text = as_subtitles(_transcript(), "srt")
    assert "01:01:01,250 --> 01:01:03,500" in text
    cues = list(srt.parse(text))
    assert [c.content for c in cues] == ["Hello there.", "Goodbye now."]


def test_vtt_has_its_header_and_dots() -> None:
    text = as_subtitles(_transcript(), "vtt")
    assert text.startswith("WEBVTT\n\n")
    cues = webvtt.from_buffer(io.StringIO(text)).captions
    assert [c.start for c in cues] == ["00:00:00.500", "01:01:01.250"]


def test_json_reports_the_duration_used() -> None:
    body = as_json(_transcript(), logprobs=True)
    assert body["usage"] == {"type": "duration", "seconds": 3664}
    assert len(body["logprobs"]) == 4
    assert all(p["logprob"] < 0 for p in body["logprobs"])


def test_verbose_json_words_only_when_asked() -> None:
    plain = as_verbose(_transcript(), "transcribe", ())
    assert "words" not in plain
    assert len(plain["segments"]) == 2
    words = as_verbose(_transcript(), "transcribe", ("word",))
    assert "segments" not in words
    assert [w["word"] for w in words["words"]] == ["Hello", "there.", "Goodbye", "now."]
