"""How often a transcript puts sentence ends and commas where the reference has them.

Words are matched as in WER (spoken form, case and punctuation aside); for each pair of
matched words, the mark after the reference word is compared with the mark after the
hypothesis word. `.`, `?` and `!` all count as a sentence end."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

from parley.evaluation.wer import spoken_form

SENTENCE_END = "sentence end"
COMMA = "comma"
_MARKS = {".": SENTENCE_END, "?": SENTENCE_END, "!": SENTENCE_END, ",": COMMA}


@dataclass
class MarkScore:
    hits: int = 0
    missed: int = 0  # in the reference only
    extra: int = 0  # in the transcript only

    @property
    def precision(self) -> float | None:
        found = self.hits + self.extra
        return self.hits / found if found else None

    @property
    def recall(self) -> float | None:
        expected = self.hits + self.missed
        return self.hits / expected if expected else None


@dataclass
class PunctuationScore:
    marks: dict[str, MarkScore] = field(
        default_factory=lambda: {SENTENCE_END: MarkScore(), COMMA: MarkScore()}
    )


def has_punctuation(text: str) -> bool:
    return any(mark in text for mark in _MARKS)


def punctuation_score(references: Sequence[str], hypotheses: Sequence[str]) -> PunctuationScore:
    score = PunctuationScore()
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        expected, found = _marked_words(reference), _marked_words(hypothesis)
        matcher = difflib.SequenceMatcher(
            a=[w for w, _ in expected], b=[w for w, _ in found], autojunk=False
        )
        for block in matcher.get_matching_blocks():
            for offset in range(block.size):
                _count(score, expected[block.a + offset][1], found[block.b + offset][1])
    return score


def _count(score: PunctuationScore, expected: str | None, found: str | None) -> None:
    for name, mark in score.marks.items():
        if expected == name and found == name:
            mark.hits += 1
        elif expected == name:
            mark.missed += 1
        elif found == name:
            mark.extra += 1


def _marked_words(text: str) -> list[tuple[str, str | None]]:
    """(word in spoken form, the mark after it) for each word; a word that spells out as
    several ("10:30") carries its mark on the last."""
    out: list[tuple[str, str | None]] = []
    for token in text.split():
        stripped = token.rstrip("\"')]")
        mark = _MARKS.get(stripped[-1:]) if stripped else None
        words = spoken_form(token).split()
        out += [(w, None) for w in words[:-1]]
        if words:
            out.append((words[-1], mark))
    return out
