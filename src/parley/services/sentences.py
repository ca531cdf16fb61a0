"""Sentence boundaries in written text, so speech can start before the whole text is read."""

from __future__ import annotations

import re

# Abbreviations whose period does not end a sentence.
ABBREVIATIONS = frozenset(
    {
        "mr.",
        "mrs.",
        "ms.",
        "dr.",
        "prof.",
        "st.",
        "jr.",
        "sr.",
        "mt.",
        "vs.",
        "no.",
        "etc.",
        "e.g.",
        "i.e.",
        "jan.",
        "feb.",
        "mar.",
        "apr.",
        "aug.",
        "sep.",
        "sept.",
        "oct.",
        "nov.",
        "dec.",
        "inc.",
        "ltd.",
        "co.",
        "approx.",
    }
)
_END = re.compile(r"[.!?…]+[\"”')\]]*(?=\s+[\"“'(\[]*[A-Z0-9])")


def is_abbreviation(token: str) -> bool:
    """'Dr.', 'etc.' or an initial such as 'J.'"""
    return token.lower() in ABBREVIATIONS or bool(re.fullmatch(r"[A-Z]\.", token))


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _END.finditer(text):
        words = text[start : match.end()].split()
        if words and is_abbreviation(words[-1].rstrip("\"”')]")):
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


_SENTENCE_END = re.compile(r"[.!?…。！？][\"')\]]*\s")


def complete_sentences(text: str) -> tuple[str, str]:
    """(the complete sentences at the start of `text` as it comes in, the rest)."""
    ends = list(_SENTENCE_END.finditer(text))
    if not ends:
        return "", text
    cut = ends[-1].end()
    return text[:cut], text[cut:]
