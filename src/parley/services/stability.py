"""Interim readings that only grow: the words two readings in a row agree on become
stable, and no later interim reading takes them back."""

from __future__ import annotations

from parley.domain.transcript import Word

STABLE = 0.9
UNSTABLE = 0.1


def word_key(word: Word) -> str:
    """A word as readings are compared: lower case, letters and digits only."""
    return "".join(c for c in word.text.lower() if c.isalnum())


class InterimTracker:
    def __init__(self) -> None:
        self.stable: list[Word] = []
        self._previous: list[Word] = []

    def update(self, words: list[Word]) -> tuple[list[Word], list[Word]]:
        """Split a new reading into (stable, unstable tail). The stable part keeps every
        word already declared stable, whatever this reading says about them."""
        tail = (
            words[len(self.stable) :] if _agrees(self.stable, words) else _after(self.stable, words)
        )
        agreed = 0
        previous = self._previous[len(self.stable) :]
        while agreed < min(len(previous), len(tail)) and word_key(previous[agreed]) == word_key(
            tail[agreed]
        ):
            agreed += 1
        # The last word of a reading may still be cut off: it stays unstable.
        agreed = min(agreed, max(0, len(tail) - 1))
        self.stable += tail[:agreed]
        tail = tail[agreed:]
        self._previous = self.stable + tail
        return list(self.stable), tail

    def reset(self) -> None:
        self.stable, self._previous = [], []


def _agrees(stable: list[Word], words: list[Word]) -> bool:
    return len(words) >= len(stable) and all(
        word_key(a) == word_key(b) for a, b in zip(stable, words, strict=False)
    )


def _after(stable: list[Word], words: list[Word]) -> list[Word]:
    """The words of a reading that disagrees with the stable part: those that start after
    the last stable word ends."""
    end = stable[-1].end if stable else 0.0
    return [w for w in words if w.start >= end - 0.05]
