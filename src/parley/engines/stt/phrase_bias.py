"""Phrase hints with a boost (Google's speech contexts) for Whisper.

CTranslate2 has no logit bias, so a boost works as a rescoring pass over each decoded
segment: wherever a run of words *sounds like* a boosted phrase (their Metaphone keys are
within a small edit distance), the phrase is tried in their place, and the model itself
scores both readings by forced alignment on the segment's audio. The phrase wins when it
costs less log-likelihood than the boost allows. Words that sound nothing like a hint are
never touched, and a hint the audio does not support is not forced in.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from parley.domain.audio import FloatArray
from parley.domain.transcript import Alternative, PhraseHint, Segment, Word

# Log-likelihood (nats, whole segment) a phrase may cost per unit of boost.
NATS_PER_BOOST = 0.6
# Google treats a phrase without a boost as a mild hint; so does Parley.
DEFAULT_BOOST = 5.0
MAX_EDITS = 8

_WORD = re.compile(r"[\w']+")
_EDGE = '.,?!;:"“”()[]{}…«»¡¿—–-'


def words_of(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORD.findall(text))


@dataclass(frozen=True)
class _Hint:
    words: tuple[str, ...]
    key: str
    allowance: float


def _key(words: Sequence[str]) -> str:
    import jellyfish

    return "".join(jellyfish.metaphone(w) for w in words)


def _sounds_alike(a: str, b: str) -> bool:
    import jellyfish

    return bool(a and b) and jellyfish.levenshtein_distance(a, b) <= max(1, len(b) // 3)


def _hints(hints: Sequence[PhraseHint]) -> list[_Hint]:
    out = []
    for hint in hints:
        boost = hint.boost or DEFAULT_BOOST
        words = tuple(hint.phrase.split())
        if boost > 0 and words:
            out.append(_Hint(words, _key([w.strip(_EDGE) for w in words]), boost * NATS_PER_BOOST))
    return out


def _candidates(words: list[str], hint: _Hint) -> list[list[str]]:
    """Every reading with one sound-alike run of `words` replaced by the phrase."""
    n = len(hint.words)
    phrase_key = words_of(" ".join(hint.words))
    # Words that already say the phrase stay: "in the superlative" never becomes
    # "in superlative" for the boost of "superlative".
    said = {
        j
        for i in range(len(words) - n + 1)
        if words_of(" ".join(words[i : i + n])) == phrase_key
        for j in range(i, i + n)
    }
    found = []
    for size in {max(1, n - 1), n, n + 1}:
        for i in range(len(words) - size + 1):
            if said.intersection(range(i, i + size)):
                continue
            span = [w.strip(_EDGE) for w in words[i : i + size]]
            if _sounds_alike(_key(span), hint.key):
                lead = words[i][: len(words[i]) - len(words[i].lstrip(_EDGE))]
                trail = words[i + size - 1][len(words[i + size - 1].rstrip(_EDGE)) :]
                phrase = list(hint.words)
                phrase[0], phrase[-1] = lead + phrase[0], phrase[-1] + trail
                found.append(words[:i] + phrase + words[i + size :])
    return found


class PhraseBooster:
    """Rescoring for one WhisperModel; `model` is a faster_whisper.WhisperModel."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def apply(
        self,
        segment: Segment,
        window: FloatArray,
        offset: float,
        hints: Sequence[PhraseHint],
        tokenizer: Any,
    ) -> Segment:
        """`window` is the segment's audio, starting `offset` seconds into the track."""
        boosted = _hints(hints)
        words = [w.text for w in segment.words]
        if not boosted or not any(_candidates(words, h) for h in boosted):
            return segment
        scorer = _Scorer(self._model, window, tokenizer)
        base = scorer.score(words)
        changed = False
        for _ in range(MAX_EDITS):
            scored = [
                (scorer.score(c), h.allowance, c) for h in boosted for c in _candidates(words, h)
            ]
            best = max(scored, key=lambda o: o[0] + o[1], default=None)
            if best is None or best[0] + best[1] <= base:
                break
            base, words, changed = best[0], best[2], True
        return scorer.realign(segment, words, offset) if changed else segment


class _Scorer:
    def __init__(self, model: Any, window: FloatArray, tokenizer: Any) -> None:
        from faster_whisper.audio import pad_or_trim

        self._model = model
        self._tokenizer = tokenizer
        features = model.feature_extractor(window)
        self._frames = min(features.shape[-1], 3000)
        self._encoded = model.encode(pad_or_trim(features))

    def _tokens(self, words: Sequence[str]) -> list[int]:
        return list(self._tokenizer.encode(" " + " ".join(words)))

    def score(self, words: Sequence[str]) -> float:
        result = self._model.model.align(
            self._encoded, self._tokenizer.sot_sequence, [self._tokens(words)], self._frames
        )[0]
        return sum(math.log(max(p, 1e-12)) for p in result.text_token_probs)

    def realign(self, segment: Segment, words: Sequence[str], offset: float) -> Segment:
        """Times and confidences for the new reading, by forced alignment as faster-whisper
        does for its own words."""
        from faster_whisper.transcribe import merge_punctuations

        aligned = self._model.find_alignment(
            self._tokenizer, [self._tokens(words)], self._encoded, self._frames
        )[0]
        merge_punctuations(aligned, "\"'“¿([{-", "\"'.。,，!！?？:：”)]}、")
        new_words = tuple(
            Word(
                a["word"].strip(),
                round(offset + float(a["start"]), 3),
                round(offset + float(a["end"]), 3),
                round(float(a["probability"]), 4),
            )
            for a in aligned
            if a["word"].strip()
        )
        text = " ".join(w.text for w in new_words)
        confidence = math.exp(
            sum(math.log(max(w.confidence, 1e-6)) for w in new_words) / len(new_words)
        )
        best = Alternative(text, round(confidence, 4), new_words)
        return Segment(
            new_words[0].start,
            new_words[-1].end,
            (best, *segment.alternatives[1:]),
            segment.language,
            segment.channel,
        )
