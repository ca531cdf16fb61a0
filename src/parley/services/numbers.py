"""One way of writing numbers, whatever the model chose clip by clip ("Seven of clubs",
"7 of clubs"). Digits (the default): a number said in words becomes digits ("twenty one"
-> "21"), except a lone zero, one or two ("no one", "one of them"), which are written as
words; `--numbers-as-words` spells every number out instead. English transcripts only;
other languages keep what the model wrote."""

from __future__ import annotations

import re

from text_to_num import alpha2digit  # type: ignore[import-untyped]

# (index of the first source word, index of the last, text)
Token = tuple[int, int, str]

_EDGE = '.,?!;:"“”()[]{}…«»'
_ONES = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"),
    *("seventeen", "eighteen", "nineteen"),
)
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_NUMBER_WORDS = {*_ONES, *_TENS, "hundred", *(name for _, name in _SCALES)}
_INTEGER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_SMALL = {"0": "zero", "1": "one", "2": "two"}


def is_english(language: str) -> bool:
    return language.split("-", maxsplit=1)[0].lower() == "en"


def as_digits(tokens: list[Token], sentence_case: bool) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        end = _number_run(tokens, i)
        if end == i:
            out.append(_small_as_word(tokens[i], sentence_case and _sentence_start(out)))
            i += 1
            continue
        run = tokens[i:end]
        core = " ".join(_bare(t).lower() for _, _, t in run)
        converted = alpha2digit(core, "en")
        if converted == core:
            out.extend(run)
        else:
            text = run[0][2]
            lead = text[: len(text) - len(text.lstrip(_EDGE))]
            last = run[-1][2]
            trail = last[len(last.rstrip(_EDGE)) :]
            out.append((run[0][0], run[-1][1], lead + converted + trail))
        i = end
    return out


def as_words(tokens: list[Token], sentence_case: bool) -> list[Token]:
    out: list[Token] = []
    for first, last, text in tokens:
        core = _bare(text)
        if core and _INTEGER.fullmatch(core):
            spelled = spell(int(core.replace(",", "")))
            capital = sentence_case and _sentence_start(out)
            out.append(
                (first, last, _swap(text, core, spelled.capitalize() if capital else spelled))
            )
        else:
            out.append((first, last, text))
    return out


def spell(number: int) -> str:
    """An integer in English words: 105 -> "one hundred five"."""
    if number < 20:
        return _ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _TENS[tens - 2] + (f"-{_ONES[ones]}" if ones else "")
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {spell(rest)}" if rest else "")
    for size, name in _SCALES:
        if number >= size:
            high, rest = divmod(number, size)
            return f"{spell(high)} {name}" + (f" {spell(rest)}" if rest else "")
    raise AssertionError("unreachable")


def _bare(token: str) -> str:
    return token.strip(_EDGE)


def _number_word(token: str) -> bool:
    parts = _bare(token).lower().split("-")
    return all(part in _NUMBER_WORDS for part in parts) and bool(parts[0])


def _number_run(tokens: list[Token], start: int) -> int:
    """The end of the run of number words starting at `start` ("and" may join two), stopping
    after a word that ends a clause ("seven, eight" are two numbers)."""
    end = start
    while end < len(tokens):
        text = tokens[end][2]
        joins = _bare(text).lower() == "and" and end > start
        if not (_number_word(text) or joins):
            break
        end += 1
        if text != text.rstrip(_EDGE):
            break
    while end > start and _bare(tokens[end - 1][2]).lower() == "and":
        end -= 1
    return end


def _small_as_word(token: Token, capital: bool) -> Token:
    first, last, text = token
    core = _bare(text)
    if core not in _SMALL:
        return token
    word = _SMALL[core]
    return (first, last, _swap(text, core, word.capitalize() if capital else word))


def _swap(text: str, core: str, new: str) -> str:
    """`text` with its core (inside edge punctuation) replaced by `new`."""
    lead = text[: text.index(core)]
    return lead + new + text[len(lead) + len(core) :]


def _sentence_start(out: list[Token]) -> bool:
    return not out or out[-1][2].rstrip('"”)').endswith((".", "?", "!"))
