"""Where Whisper went into a loop, and what of a reading stands before it; where it
ended its text early."""

from __future__ import annotations

from parley.engines.stt.segmenting import DecodedWord

# More words per second than anyone speaks means a fitted decode went into a loop.
MAX_WORDS_PER_SECOND = 6.0
LOOP_WORDS = 4
LOOP_CUT_SLACK_SECONDS = 0.5
# Nobody says one word more often than this in a row ("no no no", "words words words").
SAME_WORD_RUN = 8
# Whisper may end its text early and lay its last words over the speech it left unread
# ("...want to see it in the" for "...in the superlative degree": "in" over 1.8 s, "the"
# given no time at the end).
STRETCHED_WORD_SECONDS = 1.5
FRAME_SECONDS = 0.02  # Whisper's time step: a word shorter than this was given no time


def without_loop(
    words: list[DecodedWord], duration: float, speech_end: float
) -> list[DecodedWord] | None:
    """The words of a reading, or None when Whisper went into a loop it cannot be cut out
    of. A run of four words said twice (not all the same: "five five five five" is
    speech) is a loop; cut where it starts again, the reading stands if what is left
    reaches the end of the speech. More words than anyone says in the time cannot stand."""
    if _too_many(words, duration):
        return None
    start = _loop_start(words)
    if start is None:
        return words
    kept = words[:start]
    return kept if kept[-1].word.end >= speech_end - LOOP_CUT_SLACK_SECONDS else None


def before_loop(words: list[DecodedWord], duration: float) -> list[DecodedWord]:
    """The words before a loop starts; none of a reading with more words than anyone
    says in the time and no loop to cut."""
    start = _loop_start(words)
    if start is not None:
        return words[:start]
    return [] if _too_many(words, duration) else words


def _too_many(words: list[DecodedWord], duration: float) -> bool:
    return len(words) > 2 + MAX_WORDS_PER_SECOND * duration


def _loop_start(words: list[DecodedWord]) -> int | None:
    """Where a loop starts again: a run of LOOP_WORDS words (not all the same) said a
    second time, or a shorter run said three times in a row ("so quite different so
    quite different so quite different"), or one word said more than SAME_WORD_RUN times
    in a row ("ho, ho, ho, ..." a hundred times)."""
    keys = ["".join(c for c in w.word.text.lower() if c.isalnum()) for w in words]
    found = (_long_run_again(keys), _short_run_thrice(keys), _one_word_run(keys))
    starts = [s for s in found if s is not None]
    return min(starts, default=None)


def _long_run_again(keys: list[str]) -> int | None:
    seen: dict[tuple[str, ...], int] = {}
    for index in range(len(keys) - LOOP_WORDS + 1):
        run = tuple(keys[index : index + LOOP_WORDS])
        if len(set(run)) > 1 and seen.setdefault(run, index) <= index - LOOP_WORDS:
            return index
    return None


def _short_run_thrice(keys: list[str]) -> int | None:
    for index in range(len(keys)):
        for size in range(2, LOOP_WORDS):
            run = keys[index : index + size]
            if (
                len(set(run)) > 1
                and run
                == keys[index + size : index + 2 * size]
                == keys[index + 2 * size : index + 3 * size]
            ):
                return index + size
    return None


def _one_word_run(keys: list[str]) -> int | None:
    run = 1
    for index in range(1, len(keys)):
        run = run + 1 if keys[index] and keys[index] == keys[index - 1] else 1
        if run > SAME_WORD_RUN:
            return index - run + 2
    return None


def stretched_tail(words: list[DecodedWord]) -> int | None:
    """Where a reading's text may have ended early: the index of its last but one word
    when that lasts longer than anyone says a word and the last is given no time."""
    if len(words) < 2:
        return None
    last, before = words[-1].word, words[-2].word
    stretched = before.end - before.start > STRETCHED_WORD_SECONDS
    return len(words) - 2 if stretched and last.end - last.start < FRAME_SECONDS else None
