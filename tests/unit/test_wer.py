from __future__ import annotations

from parley.evaluation.wer import spoken_form, word_error_rate


def test_normalization_spells_out_and_drops_punctuation() -> None:
    assert spoken_form("Go forward 10 meters.") == "go forward ten meters"
    assert spoken_form("And Mr. John ill-disposed") == "and mister john ill disposed"


def test_wer_counts_errors_over_reference_words() -> None:
    result = word_error_rate(["ten of clubs", "go forward"], ["10 of clothes.", "Go forward!"])
    assert (result.errors, result.reference_words) == (1, 5)
    assert result.wer == 0.2


def test_whisper_normalization_drops_fillers_and_noise_marks() -> None:
    reference = "um so this is [laughter] the colour of seven cards"
    assert word_error_rate([reference], ["So this is the color of 7 cards."]).wer == 0.0


def test_other_languages_use_the_basic_normalizer() -> None:
    result = word_error_rate(["Testar en två tre."], ["testar en, två tre"], language="sv")
    assert (result.errors, result.reference_words) == (0, 4)
    assert word_error_rate(["en två"], ["en tre"], language="sv-SE").wer == 0.5


def test_words_heard_where_nothing_was_said_are_errors() -> None:
    silent = word_error_rate([""], ["thank you"])
    assert (silent.errors, silent.reference_words) == (2, 0)
    assert silent.wer > 0
    assert word_error_rate(["", "go"], ["", "go"]).wer == 0.0
