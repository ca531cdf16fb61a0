"""Mask profanity as Google does: the first letter stays, the rest become asterisks."""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path

_CORE = re.compile(r"^(\W*)([\w'’-]+?)(\W*)$")


def _read_words(text: str) -> frozenset[str]:
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )


@functools.cache
def builtin_words() -> frozenset[str]:
    data = resources.files("parley.services").joinpath("data/profanity_en.txt")
    return _read_words(data.read_text(encoding="utf-8"))


class ProfanityFilter:
    def __init__(self, extra_words: Path | None = None) -> None:
        extra = _read_words(extra_words.read_text(encoding="utf-8")) if extra_words else frozenset()
        self._words = builtin_words() | extra

    def mask(self, token: str) -> str:
        """Mask one token, keeping punctuation around it: 'shit!' -> 's***!'."""
        match = _CORE.match(token)
        if match is None:
            return token
        lead, core, trail = match.groups()
        if core.lower().replace("’", "'") not in self._words:
            return token
        return f"{lead}{core[0]}{'*' * (len(core) - 1)}{trail}"
