"""BCP-47 tags from callers -> the language codes a model knows."""

from __future__ import annotations

import re

from parley.errors import UnsupportedLanguage

_TAG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")
# Codes Whisper spells differently from the BCP-47 primary subtag.
_ALIASES = {"iw": "he", "jw": "jv", "fil": "tl", "nb": "no", "nn": "no", "zh-yue": "yue"}


def model_language(tag: str, supported: frozenset[str], model: str) -> str:
    """'en-US' -> 'en', if the model supports it; UnsupportedLanguage otherwise."""
    cleaned = tag.strip()
    if not _TAG.match(cleaned):
        raise UnsupportedLanguage(f"{tag!r} is not a BCP-47 language tag", field="language")
    lowered = cleaned.lower().replace("_", "-")
    primary = lowered.split("-")[0]
    for candidate in (lowered, _ALIASES.get(lowered), _ALIASES.get(primary), primary):
        if candidate and candidate in supported:
            return candidate
    raise UnsupportedLanguage(
        f"language {tag!r} is not supported by model {model}", field="language"
    )
