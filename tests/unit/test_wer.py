from __future__ import annotations

from parley.evaluation.wer import spoken_form, word_error_rate


def test_normalization_spells_out_and_drops_punctuation() -> None:
    assert spoken_form("Go forward 10 meters.") == "go forward ten meters"
    assert spoken_form("And Mr. John ill-disposed") == "and mister john ill disposed"


def test_wer_counts_errors_over_reference_words() -> None:
    result = word_error_rate(["ten of clubs", "go forward"], ["10 of clothes.", "Go forward!"])
    assert (result.errors, result.reference_words) == (1, 5)
    assert result.wer == 0.2
