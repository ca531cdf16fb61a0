"""Utterance boundaries from frame probabilities: exact, in samples."""

from __future__ import annotations

from parley.audio.vad import FRAME
from parley.services.endpointing import PREROLL_SECONDS, Endpointer

PREROLL = int(PREROLL_SECONDS * 16000)


def feed(endpointer: Endpointer, probabilities: list[float]) -> list[int]:
    """Frame indexes at which an utterance began."""
    return [i for i, p in enumerate(probabilities) if endpointer.feed(p)]


def test_speech_begins_at_the_first_likely_frame_with_audio_kept_before_it() -> None:
    endpointer = Endpointer()
    assert feed(endpointer, [0.1] * 20 + [0.9] * 5) == [20]
    utterance = endpointer.utterance
    assert utterance is not None
    assert utterance.onset == 20 * FRAME
    assert utterance.start == 20 * FRAME - PREROLL
    assert utterance.speech_end == 25 * FRAME


def test_a_dip_between_the_thresholds_keeps_speech_going() -> None:
    endpointer = Endpointer()
    feed(endpointer, [0.9] * 5 + [0.4] * 3 + [0.1] * 4)
    utterance = endpointer.utterance
    assert utterance is not None
    assert utterance.speech_end == 8 * FRAME  # 0.4 is still speech once it has begun
    assert utterance.silence == 4
    assert abs(utterance.silence_seconds - 4 * FRAME / 16000) < 1e-9


def test_the_next_utterance_keeps_no_audio_of_the_last() -> None:
    endpointer = Endpointer()
    feed(endpointer, [0.9] * 10 + [0.1] * 2)
    finished = endpointer.finish()
    assert finished is not None
    assert finished.speech_end == 10 * FRAME
    assert feed(endpointer, [0.9]) == [0]
    follow = endpointer.utterance
    assert follow is not None
    assert follow.start == 10 * FRAME  # not 12 frames minus the preroll, into the last one


def test_an_utterance_cut_inside_speech_goes_on_as_a_new_one() -> None:
    endpointer = Endpointer()
    feed(endpointer, [0.9] * 10 + [0.2] + [0.9] * 10)
    cut = endpointer.quietest(endpointer.utterance, within_seconds=1.0)  # type: ignore[arg-type]
    first = endpointer.finish(cut)
    assert first is not None
    assert cut == first.speech_end == 10 * FRAME + first.start  # where the dip was
    rest = endpointer.utterance
    assert rest is not None
    assert rest.start == cut
    assert rest.speech_end == 21 * FRAME
