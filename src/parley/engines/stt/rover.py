"""Several models' readings of the same audio combined word by word (ROVER: Fiscus,
"A post-recognizer output voting error reduction", 1997).

The readings are aligned into slots by edit distance on their words (case and
punctuation aside), the first reading as the pivot; in each slot, the word (or no word)
with the best score wins: ALPHA × the share of models that read it + (1 − ALPHA) × their
mean confidence (NO_WORD_CONFIDENCE for no word). The winning word keeps the spelling
and timing of the first model that read it, in the order given."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from parley.domain.transcript import Transcript, Word
from parley.engines.stt.segmenting import DecodedWord, split_at_pauses

# The middle of ROVER's usual range, not fitted: on the tuning set every setting of the
# two (ALPHA 0-1, NO_WORD_CONFIDENCE 0.3-1) gave 24-27 errors in 278 words, too few to
# choose by. The held-out set is never used to choose them.
ALPHA = 0.5
NO_WORD_CONFIDENCE = 0.7


@dataclass(frozen=True)
class _Vote:
    system: int
    word: Word


Slot = list[_Vote]  # at most one vote per system; a system absent from a slot read nothing


_NUMBERS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]
_DIGITS = {word: str(value) for value, word in enumerate(_NUMBERS)}


def key(word: Word) -> str:
    """What two readings of a word have in common when they agree: case, punctuation and
    the way a small number is written ("Ten", "10.") aside."""
    plain = "".join(c for c in word.text.lower() if c.isalnum())
    return _DIGITS.get(plain, plain)


def combine(
    name: str,
    readings: Sequence[Transcript],
    *,
    alpha: float = ALPHA,
    no_word: float = NO_WORD_CONFIDENCE,
) -> Transcript:
    """One transcript from `readings` of the same audio (the first is the pivot)."""
    slots: list[Slot] = []
    for system, reading in enumerate(readings):
        words = [w for segment in reading.segments for w in segment.words if key(w)]
        slots = _aligned(slots, [_Vote(system, w) for w in words])
    chosen = [w for slot in slots if (w := _winner(slot, len(readings), alpha, no_word))]
    pivot = readings[0]
    return dataclasses.replace(
        pivot,
        segments=tuple(split_at_pauses([DecodedWord(w, False) for w in chosen], pivot.language)),
        model=name,
        inference_seconds=sum(r.inference_seconds for r in readings),
    )


def _winner(slot: Slot, systems: int, alpha: float, no_word: float) -> Word | None:
    by_key: dict[str, list[_Vote]] = {}
    for vote in slot:
        by_key.setdefault(key(vote.word), []).append(vote)
    best: Word | None = None
    best_score = alpha * (systems - len(slot)) / systems + (1 - alpha) * no_word
    # Keys in the order of their first voter: ties go to the earlier model.
    for votes in sorted(by_key.values(), key=lambda v: min(x.system for x in v)):
        confidence = sum(v.word.confidence for v in votes) / len(votes)
        score = alpha * len(votes) / systems + (1 - alpha) * confidence
        if score > best_score:
            best, best_score = min(votes, key=lambda v: v.system).word, score
    return best


def _aligned(slots: list[Slot], words: list[_Vote]) -> list[Slot]:
    """`words` aligned to `slots` by edit distance: each word joins a slot, or becomes a
    slot of its own."""
    if not slots:
        return [[w] for w in words]
    keys = [{key(v.word) for v in slot} for slot in slots]
    rows, cols = len(slots), len(words)
    cost = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows + 1):
        cost[i][0] = i
    for j in range(cols + 1):
        cost[0][j] = j
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            same = key(words[j - 1].word) in keys[i - 1]
            cost[i][j] = min(
                cost[i - 1][j - 1] + (0 if same else 1), cost[i - 1][j] + 1, cost[i][j - 1] + 1
            )
    out: list[Slot] = []
    i, j = rows, cols
    while i > 0 or j > 0:
        same = i > 0 and j > 0 and key(words[j - 1].word) in keys[i - 1]
        if i > 0 and j > 0 and cost[i][j] == cost[i - 1][j - 1] + (0 if same else 1):
            out.append([*slots[i - 1], words[j - 1]])
            i, j = i - 1, j - 1
        elif i > 0 and cost[i][j] == cost[i - 1][j] + 1:
            out.append(slots[i - 1])
            i -= 1
        else:
            out.append([words[j - 1]])
            j -= 1
    return out[::-1]
