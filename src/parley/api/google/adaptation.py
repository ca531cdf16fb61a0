"""Inline custom classes of `SpeechAdaptation`: '${city} airport' with class city =
[Paris, Oslo] -> 'Paris airport', 'Oslo airport'.

Expansion multiplies: a few classes of fifty items referring to each other describe
billions of phrases. Every phrase is counted first, and expanded only when the count
is within the budget; a class that refers to itself is refused."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from parley.errors import InvalidArgument

MAX_PHRASES = 500
_FIELD = "config.adaptation.phrase_sets"
_MARKER = re.compile(r"\$\{([^}]*)\}|\$(\w+)")


class CustomClasses:
    def __init__(self, classes: Iterable[Any], budget: int) -> None:
        """`classes`: raw CustomClass messages; `budget`: phrases that may still be made."""
        self._items = {
            c.custom_class_id or c.name.rsplit("/", 1)[-1]: [i.value for i in c.items]
            for c in classes
        }
        self._budget = budget
        self._sizes: dict[str, int] = {}

    def expand(self, phrase: str) -> list[str]:
        count = self._count(phrase, ())
        if count > self._budget:
            raise InvalidArgument(
                f"the phrase sets expand to over {MAX_PHRASES} phrases "
                f"({_short(phrase)!r} alone makes {_short(str(count))})",
                field=_FIELD,
            )
        self._budget -= count
        return self._expand(phrase)

    def _count(self, text: str, stack: tuple[str, ...]) -> int:
        total = 1
        for name in _markers(text):
            total *= self._size(name, stack)
            if total > self._budget:
                return total  # over already: no need to know by how much
        return total

    def _size(self, name: str, stack: tuple[str, ...]) -> int:
        if name in stack:
            raise InvalidArgument(f"custom class {_short(name)!r} refers to itself", field=_FIELD)
        if name not in self._items:
            raise InvalidArgument(
                f"a phrase refers to custom class {_short(name)!r}, which is not defined inline",
                field=_FIELD,
            )
        if name not in self._sizes:
            self._sizes[name] = sum(self._count(item, (*stack, name)) for item in self._items[name])
        return self._sizes[name]

    def _expand(self, text: str) -> list[str]:
        match = _MARKER.search(text)
        if match is None:
            return [text]
        head, tail = text[: match.start()], text[match.end() :]
        name = match.group(1) if match.group(1) is not None else match.group(2)
        return [
            head + choice + rest
            for item in self._items[name]
            for choice in self._expand(item)
            for rest in self._expand(tail)
        ]


def _markers(text: str) -> list[str]:
    return [a if a is not None else b for a, b in _MARKER.findall(text)]


def _short(text: str, most: int = 40) -> str:
    return text if len(text) <= most else text[:most] + "…"
