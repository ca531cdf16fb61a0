"""A file's speech found after its silences as well as before them: the VAD's state,
carried over a silence, went deaf to quieter speech after it for the rest of the file
(the tuning clips in telephone band, one after the other: whole sentences unheard)."""

from __future__ import annotations

from parley.audio.vad import fresh_regions
from parley.bench import live
from parley.bench.speech import BUNDLED_SPEECH, RATE, load_speech_set, telephone_copy
from parley.engines.stt.segmenting import speech_pieces


def test_every_clip_of_a_telephone_track_is_heard() -> None:
    clips = [telephone_copy(u) for u in load_speech_set(BUNDLED_SPEECH, language="en")]
    track = live.build_track(clips, len(clips))
    stretches = [s for piece in speech_pieces(track.samples, 20, RATE) for s in piece.stretches]
    unheard = [
        spoken.reference
        for spoken in track.spoken
        if not any(
            s["start"] < spoken.end * RATE and s["end"] > spoken.onset * RATE for s in stretches
        )
    ]
    assert not unheard
    # Heard afresh in pauses (at least those between the clips), never inside speech.
    bounds = [start for start, _ in fresh_regions(track.samples)][1:]
    assert len(bounds) >= len(clips) // 2
    assert not [b for b in bounds for s in stretches if s["start"] < b < s["end"]]
