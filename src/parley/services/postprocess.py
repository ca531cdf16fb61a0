"""Text options applied after decoding: automatic punctuation off, spoken punctuation,
profanity masking. Word timings follow the words they belong to."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from parley.domain.transcript import (
    Alternative,
    RecognitionOptions,
    Segment,
    Transcript,
    Word,
    join_words,
)
from parley.services.profanity import ProfanityFilter
from parley.services.sentences import is_abbreviation

Token = tuple[int, str]  # (index of the source word, text)

EDGE_PUNCTUATION = '.,?!;:"“”()[]{}…«»¡¿—–-'
SENTENCE_END = ".?!…"
_ALWAYS_CAPITAL = {"I", "I'm", "I'll", "I've", "I'd", "I’m", "I’ll", "I’ve", "I’d"}
SPOKEN_PUNCTUATION: dict[tuple[str, ...], str] = {
    ("comma",): ",",
    ("period",): ".",
    ("full", "stop"): ".",
    ("question", "mark"): "?",
    ("exclamation", "mark"): "!",
    ("exclamation", "point"): "!",
    ("colon",): ":",
    ("semicolon",): ";",
    ("semi", "colon"): ";",
    ("new", "line"): "\n",
    ("new", "paragraph"): "\n\n",
}


def postprocess(
    transcript: Transcript, options: RecognitionOptions, profanity: ProfanityFilter
) -> Transcript:
    steps: list[Callable[[list[Token]], list[Token]]] = []
    if not options.punctuation:
        names = _proper_names(transcript.segments)
        steps.append(lambda tokens: _strip_punctuation(tokens, names))
    if options.spoken_punctuation:
        steps.append(_spoken_punctuation)
    if options.profanity_filter:
        steps.append(lambda tokens: [(i, profanity.mask(t)) for i, t in tokens])
    if not steps:
        return transcript
    segments = tuple(_segment(s, steps) for s in transcript.segments)
    return replace(transcript, segments=tuple(s for s in segments if s.text))


def _segment(segment: Segment, steps: Sequence[Callable[[list[Token]], list[Token]]]) -> Segment:
    seen: set[str] = set()
    alternatives: list[Alternative] = []
    for alt in segment.alternatives:
        source = list(alt.words) or [Word(t, 0.0, 0.0, alt.confidence) for t in alt.text.split()]
        tokens: list[Token] = list(enumerate(w.text for w in source))
        for step in steps:
            tokens = step(tokens)
        text = re.sub(r" ?\n ?", "\n", join_words((t for _, t in tokens), segment.language))
        text = text.strip(" ")
        if text in seen:  # two readings that differed only in what was just removed
            continue
        seen.add(text)
        words = tuple(replace(source[i], text=t) for i, t in tokens) if alt.words else ()
        alternatives.append(Alternative(text, alt.confidence, words))
    return replace(segment, alternatives=tuple(alternatives))


def bare(token: str) -> str:
    return token.strip(EDGE_PUNCTUATION).lower()


def _spoken_punctuation(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        for n in (2, 1):
            key = tuple(bare(t) for _, t in tokens[i : i + n])
            symbol = SPOKEN_PUNCTUATION.get(key) if len(key) == n else None
            if symbol is not None:
                if out:
                    index, text = out[-1]
                    kept = text if symbol.isspace() else text.rstrip(EDGE_PUNCTUATION)
                    out[-1] = (index, kept + symbol)
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _strip_punctuation(tokens: list[Token], names: set[str]) -> list[Token]:
    """No punctuation and no sentence capitals, as Google returns without automatic
    punctuation. Capitalized words seen mid-sentence anywhere (names) keep their capital."""
    out: list[Token] = []
    sentence_start = True
    for index, text in tokens:
        core = text.strip(EDGE_PUNCTUATION)
        if core:
            if sentence_start and _capitalized(core) and core not in names | _ALWAYS_CAPITAL:
                core = core[0].lower() + core[1:]
            out.append((index, core))
        sentence_start = _ends_sentence(text) or (sentence_start and not core)
    return out


def _ends_sentence(token: str) -> bool:
    closed = token.rstrip("\"”)]}'")
    return closed.endswith(tuple(SENTENCE_END)) and not is_abbreviation(closed)


def _capitalized(word: str) -> bool:
    return word[0].isupper() and (len(word) == 1 or not word[1:].isupper() or not word.isalpha())


def _proper_names(segments: Sequence[Segment]) -> set[str]:
    names: set[str] = set()
    for segment in segments:
        previous = "."
        for word in segment.words:
            core = word.text.strip(EDGE_PUNCTUATION)
            if core and _capitalized(core) and not _ends_sentence(previous):
                names.add(core)
            previous = word.text
    return names
