"""Text options applied after decoding: automatic punctuation off, spoken punctuation and
emojis, one way of writing numbers, profanity masking, the caller's replacements. Word
timings follow their words."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from parley.domain.transcript import (
    Alternative,
    RecognitionOptions,
    Replacement,
    Segment,
    Transcript,
    Word,
    join_words,
)
from parley.services import numbers
from parley.services.numbers import Token, is_english
from parley.services.profanity import ProfanityFilter
from parley.services.sentences import is_abbreviation

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
SPOKEN_EMOJIS: dict[tuple[str, ...], str] = {
    ("smiley", "face"): "🙂",
    ("smiling", "face"): "😊",
    ("winking", "face"): "😉",
    ("laughing", "face"): "😆",
    ("sad", "face"): "🙁",
    ("crying", "face"): "😢",
    ("heart", "emoji"): "❤️",
    ("thumbs", "up", "emoji"): "👍",
    ("party", "emoji"): "🎉",
}


Step = Callable[[list[Token], str], list[Token]]  # (tokens, the segment's language)


def postprocess(
    transcript: Transcript, options: RecognitionOptions, profanity: ProfanityFilter
) -> Transcript:
    steps: list[Step] = []
    if not options.punctuation:
        names = _proper_names(transcript.segments)
        steps.append(lambda tokens, _: _strip_punctuation(tokens, names))
    if options.spoken_punctuation:
        steps.append(lambda tokens, _: _spoken(tokens, SPOKEN_PUNCTUATION, attach=True))
    if options.spoken_emojis:
        steps.append(lambda tokens, _: _spoken(tokens, SPOKEN_EMOJIS, attach=False))
    convert = numbers.as_words if options.numbers_as_words else numbers.as_digits
    steps.append(
        lambda tokens, language: (
            convert(tokens, options.punctuation) if is_english(language) else tokens
        )
    )
    if options.profanity_filter:
        steps.append(lambda tokens, _: [(i, j, profanity.mask(t)) for i, j, t in tokens])
    steps += [functools.partial(_replaced, rule=rule) for rule in options.replacements]
    segments = tuple(_segment(s, steps) for s in transcript.segments)
    return replace(transcript, segments=tuple(s for s in segments if s.text))


def _segment(segment: Segment, steps: Sequence[Step]) -> Segment:
    seen: set[str] = set()
    alternatives: list[Alternative] = []
    for alt in segment.alternatives:
        source = list(alt.words) or [Word(t, 0.0, 0.0, alt.confidence) for t in alt.text.split()]
        tokens: list[Token] = [(i, i, w.text) for i, w in enumerate(source)]
        for step in steps:
            tokens = step(tokens, segment.language)
        text = re.sub(r" ?\n ?", "\n", join_words((t for _, _, t in tokens), segment.language))
        text = text.strip(" ")
        if text in seen:  # two readings that differed only in what was just removed
            continue
        seen.add(text)
        words = (
            tuple(replace(source[i], text=t, end=source[j].end) for i, j, t in tokens)
            if alt.words
            else ()
        )
        alternatives.append(Alternative(text, alt.confidence, words))
    return replace(segment, alternatives=tuple(alternatives))


def bare(token: str) -> str:
    return token.strip(EDGE_PUNCTUATION).lower()


def _spoken(tokens: list[Token], table: dict[tuple[str, ...], str], *, attach: bool) -> list[Token]:
    """Spoken names of symbols become the symbols: punctuation joins the word before it
    (dropping what the recognizer put there), emojis stand on their own."""
    longest = max(len(key) for key in table)
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        for n in range(longest, 0, -1):
            key = tuple(bare(t) for _, _, t in tokens[i : i + n])
            symbol = table.get(key) if len(key) == n else None
            if symbol is None:
                continue
            if not attach:
                out.append((tokens[i][0], tokens[i + n - 1][1], symbol))
            elif out:
                first, last, text = out[-1]
                kept = text if symbol.isspace() else text.rstrip(EDGE_PUNCTUATION)
                out[-1] = (first, last, kept + symbol)
            i += n
            break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _replaced(tokens: list[Token], _language: str, rule: Replacement) -> list[Token]:
    """Whole-word (or whole-phrase) matches of `rule.search` become `rule.replace`."""
    fold = (lambda t: t) if rule.case_sensitive else str.lower
    wanted = [fold(w) for w in rule.search.split()]
    n = len(wanted)
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        window = tokens[i : i + n]
        if n and [fold(t.strip(EDGE_PUNCTUATION)) for _, _, t in window] == wanted:
            trail = window[-1][2][len(window[-1][2].rstrip(EDGE_PUNCTUATION)) :]
            out.append((window[0][0], window[-1][1], rule.replace + trail))
            i += n
        else:
            out.append(tokens[i])
            i += 1
    return [t for t in out if t[2]]


def _strip_punctuation(tokens: list[Token], names: set[str]) -> list[Token]:
    """No punctuation and no sentence capitals, as Google returns without automatic
    punctuation. Capitalized words seen mid-sentence anywhere (names) keep their capital."""
    out: list[Token] = []
    sentence_start = True
    for first, last, text in tokens:
        core = text.strip(EDGE_PUNCTUATION)
        if core:
            if sentence_start and _capitalized(core) and core not in names | _ALWAYS_CAPITAL:
                core = core[0].lower() + core[1:]
            out.append((first, last, core))
        sentence_start = _ends_sentence(text) or (sentence_start and not core)
    return out


def _ends_sentence(token: str) -> bool:
    closed = token.rstrip("\"”)]}'")
    return closed.endswith(tuple(SENTENCE_END)) and not is_abbreviation(closed)


def _capitalized(word: str) -> bool:
    return word[0].isupper() and (len(word) == 1 or not word[1:].isupper() or not word.isalpha())


def _proper_names(segments: Sequence[Segment]) -> set[str]:
    """Words written with a capital mid-sentence and never in lower case: names ("John"),
    not a sentence the model continued after an abbreviation ("Mr. Brown. And then")."""
    names: set[str] = set()
    lower: set[str] = set()
    for segment in segments:
        previous = "."
        for word in segment.words:
            core = word.text.strip(EDGE_PUNCTUATION)
            if core and _capitalized(core) and not _ends_sentence(previous):
                names.add(core)
            elif core.islower():
                lower.add(core)
            previous = word.text
    return {name for name in names if name.lower() not in lower}
