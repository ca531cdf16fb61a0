from __future__ import annotations

import json

from parley.domain.codec import transcript_from_dict, transcript_to_dict
from parley.services.render import TextFormat, render, timestamp
from tests.unit.test_postprocess import transcript


def test_srt() -> None:
    out = render(transcript("Hello there.", "General Kenobi!"), TextFormat.SRT)
    assert out == (
        "1\n00:00:00,000 --> 00:00:00,700\nHello there.\n\n"
        "2\n00:00:01,800 --> 00:00:02,500\nGeneral Kenobi!\n"
    )


def test_vtt() -> None:
    out = render(transcript("Hello there."), TextFormat.VTT)
    assert out == "WEBVTT\n\n00:00:00.000 --> 00:00:00.700\nHello there.\n"


def test_json_has_text_segments_and_words() -> None:
    out = json.loads(render(transcript("a b", "c"), TextFormat.JSON, {"file": "x.wav"}))
    assert out["file"] == "x.wav"
    assert out["text"] == "a b c"
    assert [w["text"] for w in out["segments"][0]["words"]] == ["a", "b"]


def test_dict_round_trip() -> None:
    t = transcript("one two", alternatives=("one too",))
    assert transcript_from_dict(transcript_to_dict(t)) == t


def test_timestamps_past_an_hour() -> None:
    assert timestamp(3723.4567, ",") == "01:02:03,457"
