"""Interim readings only grow their stable part."""

from __future__ import annotations

from parley.domain.transcript import Word
from parley.services.stability import InterimTracker


def words(text: str) -> list[Word]:
    return [Word(w, i * 0.5, i * 0.5 + 0.4, 0.9) for i, w in enumerate(text.split())]


def texts(found: list[Word]) -> str:
    return " ".join(w.text for w in found)


def test_words_two_readings_agree_on_become_stable() -> None:
    tracker = InterimTracker()
    stable, tail = tracker.update(words("he was"))
    assert (texts(stable), texts(tail)) == ("", "he was")
    stable, tail = tracker.update(words("he was not an"))
    assert (texts(stable), texts(tail)) == ("he was", "not an")


def test_the_last_word_of_a_reading_stays_unstable() -> None:
    tracker = InterimTracker()
    tracker.update(words("go forward"))
    stable, tail = tracker.update(words("go forward"))
    assert (texts(stable), texts(tail)) == ("go", "forward")


def test_a_reading_that_changes_stable_words_does_not_take_them_back() -> None:
    tracker = InterimTracker()
    tracker.update(words("he was not an"))
    tracker.update(words("he was not an ill"))
    stable, tail = tracker.update(words("he was knot and ill disposed"))
    # Stable words stay as they were; "ill", now said twice, joins them.
    assert (texts(stable), texts(tail)) == ("he was not an ill", "disposed")


def test_reset_starts_the_next_utterance_afresh() -> None:
    tracker = InterimTracker()
    tracker.update(words("one two three"))
    tracker.update(words("one two three four"))
    tracker.reset()
    stable, _ = tracker.update(words("five"))
    assert stable == []
