"""Punctuation off, spoken punctuation and profanity masking, with timings kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.domain.transcript import Alternative, RecognitionOptions, Segment, Transcript, Word
from parley.services.postprocess import postprocess
from parley.services.profanity import ProfanityFilter

FILTER = ProfanityFilter()


def transcript(*texts: str, alternatives: tuple[str, ...] = ()) -> Transcript:
    segments = []
    t = 0.0
    for text in texts:
        words = []
        for token in text.split():
            words.append(Word(token, t, t + 0.3, 0.9))
            t += 0.4
        best = Alternative(text, 0.9, tuple(words))
        others = tuple(Alternative(a, 0.5) for a in alternatives)
        segments.append(Segment(words[0].start, words[-1].end, (best, *others), "en"))
        t += 1.0
    return Transcript(tuple(segments), "en", t, "test")


def run(t: Transcript, **options: object) -> Transcript:
    return postprocess(t, RecognitionOptions(**options), FILTER)  # type: ignore[arg-type]


def test_nothing_asked_changes_nothing() -> None:
    t = transcript("Hello, world.")
    assert run(t) == t


def test_no_punctuation_and_no_sentence_capitals() -> None:
    t = transcript("And Mr. John Dashwood had leisure. He was not ill-disposed, I think!")
    out = run(t, punctuation=False)
    assert out.text == "and Mr John Dashwood had leisure he was not ill-disposed I think"


def test_names_keep_their_capital_at_a_sentence_start() -> None:
    t = transcript("I met John today.", "John said hello.")
    assert run(t, punctuation=False).text == "I met John today John said hello"


def test_word_timings_follow_their_words() -> None:
    t = transcript("Hello, comma, world period")
    out = run(t, spoken_punctuation=True)
    assert out.text == "Hello, world."
    assert [(w.text, w.start) for w in out.segments[0].words] == [("Hello,", 0.0), ("world.", 0.8)]


def test_spoken_punctuation_words() -> None:
    t = transcript("is it raining question mark yes exclamation point new line next")
    assert run(t, spoken_punctuation=True).text == "is it raining? yes!\nnext"


def test_spoken_punctuation_without_automatic_punctuation() -> None:
    t = transcript("Hello. Comma, how are you? Question mark.")
    assert run(t, punctuation=False, spoken_punctuation=True).text == "hello, how are you?"


def test_profanity_keeps_first_letter_and_punctuation() -> None:
    t = transcript("Well, shit! That fucking thing is a class act.")
    out = run(t, profanity_filter=True)
    assert out.text == "Well, s***! That f****** thing is a class act."
    assert out.segments[0].words[1].text == "s***!"


def test_profanity_in_alternatives_too() -> None:
    t = transcript("oh shit", alternatives=("oh shoot", "oh shits"))
    out = run(t, profanity_filter=True)
    assert [a.text for a in out.segments[0].alternatives] == ["oh s***", "oh shoot", "oh s****"]


def test_alternatives_that_become_identical_are_merged() -> None:
    t = transcript("Ten of clubs.", alternatives=("ten of clubs", "Ten of clubs!", "ten of clues"))
    out = run(t, punctuation=False)
    assert [a.text for a in out.segments[0].alternatives] == ["10 of clubs", "10 of clues"]


def test_extra_profanity_words_from_a_file(tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("# house list\nfrak\n")
    t = transcript("What the frak.")
    out = postprocess(t, RecognitionOptions(profanity_filter=True), ProfanityFilter(words))
    assert out.text == "What the f***."


def test_mild_and_ambiguous_words_are_not_masked() -> None:
    for word in ("damn", "hell", "crap", "cock", "screw", "Dick", "assess", "Scunthorpe"):
        assert FILTER.mask(word) == word


def test_sentences_split_where_a_reader_would_stop() -> None:
    from parley.services.sentences import split_sentences

    text = 'It costs $3.50, Dr. Smith said on Jan. 5, 2024. He left! "Stop." Then J. R. R. Tolkien.'
    assert split_sentences(text) == [
        "It costs $3.50, Dr. Smith said on Jan. 5, 2024.",
        "He left!",
        '"Stop."',
        "Then J. R. R. Tolkien.",
    ]


def test_spoken_emojis_stand_alone() -> None:
    t = transcript("see you soon smiley face thumbs up emoji")
    assert run(t, spoken_emojis=True).text == "see you soon 🙂 👍"


def test_replacements_match_whole_words_and_keep_timing() -> None:
    from parley.domain.transcript import Replacement

    t = transcript("Meet the Cat team at the cat cafe. Category A.")
    rules = (Replacement("cat cafe", "Café Chat"), Replacement("Cat", "CAT", case_sensitive=True))
    out = run(t, replacements=rules)
    assert out.text == "Meet the CAT team at the Café Chat. Category A."
    cafe = next(w for w in out.segments[0].words if w.text == "Café Chat.")
    assert (cafe.start, cafe.end) == pytest.approx((2.4, 3.1))  # from "cat" to "cafe."
