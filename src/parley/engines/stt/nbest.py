"""N-best alternatives for one segment: a second beam search over just its audio."""

from __future__ import annotations

from typing import Any

from parley.domain.audio import FloatArray
from parley.engines.stt.phrase_bias import words_of

MAX_BEAM = 48


def readings(
    model: Any, samples: FloatArray, tokenizer: Any, count: int
) -> list[tuple[str, float]]:
    """Up to `count` readings of `samples` (at most 30 s) that differ in their words, best
    first, each with its average log-probability per token."""
    from faster_whisper.audio import pad_or_trim

    encoded = model.encode(pad_or_trim(model.feature_extractor(samples)))
    prompt = model.get_prompt(tokenizer, [], without_timestamps=True)
    # Beams fill up with case and punctuation variants: search wider than asked.
    beam = min(max(4 * count, 10), MAX_BEAM)
    result = model.model.generate(
        encoded, [prompt], beam_size=beam, num_hypotheses=beam, return_scores=True
    )[0]
    seen: set[tuple[str, ...]] = set()
    found: list[tuple[str, float]] = []
    for ids, score in zip(result.sequences_ids, result.scores, strict=True):
        text = tokenizer.decode([t for t in ids if t < tokenizer.eot]).strip()
        key = words_of(text)
        if key and key not in seen:
            seen.add(key)
            # CTranslate2 divides the summed log-probability by the length (penalty 1).
            found.append((text, score * len(ids) / (len(ids) + 1)))
        if len(found) == count:
            break
    return found
