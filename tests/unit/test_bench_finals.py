"""How the streaming benchmark reads finals: Parley's and WhisperLive's the same way."""

from __future__ import annotations

import numpy as np
import pytest

from parley.bench import live
from parley.bench.whisperlive import PeerHeard

TRACK = live.Track(
    np.zeros(16000 * 10, np.float32),
    [live.Spoken(0.5, 2.0, "one two"), live.Spoken(4.0, 6.0, "three four")],
)


def test_each_utterance_is_timed_by_the_last_final_that_ends_inside_it() -> None:
    ends = [(2.4, 1.2), (2.6, 2.1), (6.9, 5.9), (9.0, 9.5)]
    # 2.6 - 2.0 for the first; the second's last final (9.5 is after its onset) at 9.0.
    assert live.final_delays(ends, TRACK) == pytest.approx([0.6, 3.0])


def test_an_utterance_without_a_final_is_not_timed() -> None:
    assert live.final_delays([(2.5, 1.9)], TRACK) == pytest.approx([0.5])


def _segment(start: float, end: float, text: str, completed: bool) -> dict[str, object]:
    return {"start": f"{start:.3f}", "end": f"{end:.3f}", "text": text, "completed": completed}


def test_whisperlive_finals_are_its_completed_segments_when_first_seen() -> None:
    heard = PeerHeard()
    heard.take(1.0, {"segments": [_segment(0.5, 1.5, " one", False)]})
    heard.take(2.5, {"segments": [_segment(0.5, 2.0, " one two", True)]})
    # WhisperLive sends the last segments again with each message.
    heard.take(
        3.5,
        {"segments": [_segment(0.5, 2.0, " one two", True), _segment(4.0, 5.0, " three", False)]},
    )
    heard.take(4.0, {"uid": "x", "message": "DISCONNECT"})
    assert heard.final_ends() == [(2.5, 2.0)]
    # What its client shows at the end: the completed text, then the pending segment.
    assert heard.text() == "one two three"
