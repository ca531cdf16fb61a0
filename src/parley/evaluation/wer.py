"""Word error rate on text normalized as published Whisper figures are: Whisper's English
normalizer for English (spelling, numbers as digits, fillers such as "um" and bracketed
noises dropped, punctuation dropped; digits are spelled out between two passes of it, so
that "5 5" and "five five" agree), its basic normalizer for other languages.

`spoken_form` is a second, Parley-specific form (numbers spelled out, "Mr." as "mister")
used where words are aligned for other reasons, such as scoring punctuation.

Both work a sentence (at most forty words) at a time, each remembered: the grammars' cost
grows faster than the text, long transcripts repeat sentences, and no number or title
spans a sentence end."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import jiwer

from parley.services.text_normalization import normalize_for_speech

_NON_WORD = re.compile(r"[^\w'\s]|_")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_PIECE_WORDS = 40


def spoken_form(text: str) -> str:
    return " ".join(_spoken_piece(piece) for piece in _pieces(text))


def normalized(text: str, language: str = "en") -> str:
    return " ".join(_normalized_piece(piece, language) for piece in _pieces(text))


def _pieces(text: str) -> list[str]:
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        words = sentence.split()
        out += [" ".join(words[i : i + _PIECE_WORDS]) for i in range(0, len(words), _PIECE_WORDS)]
    return out


@lru_cache(maxsize=8192)
def _spoken_piece(text: str) -> str:
    spoken = normalize_for_speech(text, "en").lower().replace("-", " ")
    return " ".join(_NON_WORD.sub(" ", spoken).split())


@lru_cache(maxsize=8192)
def _normalized_piece(text: str, language: str) -> str:
    if language.partition("-")[0].lower() != "en":
        return " ".join(_normalizer(False)(text).split())
    english = _normalizer(True)
    # Whisper's normalizer joins number words ("five five" -> "55") but not digits ("5 5"):
    # digits are spelled out between two passes, so both ways of writing agree.
    return " ".join(english(spoken_form(english(text))).split())


@cache
def _normalizer(english: bool) -> Callable[[str], str]:
    from whisper_normalizer.basic import BasicTextNormalizer
    from whisper_normalizer.english import EnglishTextNormalizer

    normalizer: Callable[[str], str] = EnglishTextNormalizer() if english else BasicTextNormalizer()
    return normalizer


@dataclass(frozen=True)
class WerResult:
    wer: float
    errors: int
    reference_words: int


def word_error_rate(
    references: Sequence[str], hypotheses: Sequence[str], language: str = "en"
) -> WerResult:
    refs = [normalized(r, language) for r in references]
    hyps = [normalized(h, language) for h in hypotheses]
    pairs = list(zip(refs, hyps, strict=True))
    # jiwer refuses an empty reference: words heard where none were said are insertions.
    errors = sum(len(h.split()) for r, h in pairs if not r)
    scored = [(r, h) for r, h in pairs if r]
    if scored:
        out = jiwer.process_words([r for r, _ in scored], [h for _, h in scored])
        errors += out.substitutions + out.deletions + out.insertions
    words = sum(len(r.split()) for r, _ in scored)
    return WerResult(errors / words if words else float(errors > 0), errors, words)
