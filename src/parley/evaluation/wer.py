"""Word error rate with a documented normalization: both sides are spelled out as
spoken ("10" -> "ten", "Mr." -> "mister"), lower-cased, hyphens split, and stripped of
punctuation before words are compared."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import jiwer

from parley.services.text_normalization import normalize_for_speech

_NON_WORD = re.compile(r"[^\w'\s]|_")


def spoken_form(text: str) -> str:
    spoken = normalize_for_speech(text, "en").lower().replace("-", " ")
    return " ".join(_NON_WORD.sub(" ", spoken).split())


@dataclass(frozen=True)
class WerResult:
    wer: float
    errors: int
    reference_words: int


def word_error_rate(references: Sequence[str], hypotheses: Sequence[str]) -> WerResult:
    refs = [spoken_form(r) for r in references]
    hyps = [spoken_form(h) for h in hypotheses]
    out = jiwer.process_words(refs, hyps)
    errors = out.substitutions + out.deletions + out.insertions
    words = sum(len(r.split()) for r in refs)
    return WerResult(errors / words if words else 0.0, errors, words)
