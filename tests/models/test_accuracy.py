"""Whisper on the real dev speech: accuracy, timings, alternatives, text options."""

from __future__ import annotations

import itertools
import string

import pytest

from parley.evaluation.wer import spoken_form, word_error_rate
from parley.services.container import Services
from tests.conftest import clip, clips
from tests.models.conftest import recognize


@pytest.mark.parametrize(
    ("model", "bound"),
    [
        ("whisper-base", 0.05),
        ("whisper-tiny.en", 0.10),
        ("moonshine-base", 0.08),
        ("accurate", 0.06),
    ],
)
def test_dev_set_word_error_rate(services: Services, model: str, bound: float) -> None:
    texts = [recognize(services, c.path, model=model, language="en-US").text for c in clips()]
    result = word_error_rate([c.reference for c in clips()], texts)
    print(f"{model}: WER {result.wer:.3f} ({result.errors}/{result.reference_words})")
    assert result.wer <= bound


def test_language_is_detected_when_not_given(services: Services) -> None:
    transcript = recognize(services, clip("ps_librivox_0870").path)
    assert transcript.language == "en"
    assert "Dashwood" in transcript.text


def test_word_times_increase_and_lie_inside_the_audio(services: Services) -> None:
    for c in clips():
        transcript = recognize(services, c.path, language="en")
        words = [w for s in transcript.segments for w in s.words]
        assert words, c.name
        for a, b in itertools.pairwise(words):
            assert a.start <= a.end <= b.start + 1e-6 <= b.end + 1e-6
        assert words[0].start >= 0
        assert words[-1].end <= transcript.duration
        assert all(0 < w.confidence <= 1 for w in words)
        for s in transcript.segments:
            assert s.start == s.words[0].start
            assert s.end == s.words[-1].end
            assert 0 < s.confidence <= 1


def test_alternatives_are_distinct_and_best_first(services: Services) -> None:
    for name in ("ps_cards_005", "ps_librivox_0880", "ps_goforward"):
        transcript = recognize(services, clip(name).path, language="en", max_alternatives=5)
        for segment in transcript.segments:
            texts = [a.text for a in segment.alternatives]
            assert 2 <= len(texts) <= 5, texts
            assert len({t.lower().strip(string.punctuation) for t in texts}) == len(texts)
            assert all(0 < a.confidence <= 1 for a in segment.alternatives)
            assert segment.alternatives[0].words
            assert not segment.alternatives[1].words


def test_punctuation_off_keeps_the_words_and_drops_the_rest(services: Services) -> None:
    path = clip("ps_librivox_0870").path
    on = recognize(services, path, language="en").text
    off = recognize(services, path, language="en", punctuation=False).text
    assert on.startswith("And Mr. John Dashwood")
    assert on.endswith(".")
    assert off.startswith("and Mr John Dashwood")
    assert not set(off) & set(".,?!;:")
    assert off.split() == ["and"] + [w.strip(".,") for w in on.split()[1:]]


def test_phrase_hint_turns_a_wrong_word_right(services: Services) -> None:
    path = clip("ps_cards_005").path
    plain = recognize(services, path, language="en").text
    hinted = recognize(services, path, language="en", phrases=(_hint("clubs", 10),))
    assert "clubs" not in plain.lower()
    assert "four of clubs" in spoken_form(hinted.text)
    clubs = next(w for s in hinted.segments for w in s.words if w.text.startswith("clubs"))
    assert 0 < clubs.start < clubs.end < hinted.duration


def test_a_phrase_the_audio_does_not_support_is_not_forced_in(services: Services) -> None:
    path = clip("ps_librivox_0880").path
    plain = recognize(services, path, language="en").text
    hinted = recognize(services, path, language="en", phrases=(_hint("Kubernetes", 20),))
    assert hinted.text == plain


def test_a_phrase_already_heard_costs_no_word_around_it(services: Services) -> None:
    """Boosting "superlative", which the model hears anyway, keeps every word before it
    ("in the superlative" was once shaved to "want superlative", a word at a time)."""
    path = clip("arctic_a0007").path
    plain = recognize(services, path, language="en").text
    for boost in (10, 20):
        hinted = recognize(services, path, language="en", phrases=(_hint("superlative", boost),))
        assert hinted.text == plain


def _hint(phrase: str, boost: float) -> object:
    from parley.domain.transcript import PhraseHint

    return PhraseHint(phrase, boost)


def test_translate_task_yields_english(services: Services) -> None:
    from parley.domain.transcript import Task

    transcript = recognize(services, clip("ps_goforward").path, task=Task.TRANSLATE)
    assert word_error_rate(["go forward ten meters"], [transcript.text]).wer <= 0.25
