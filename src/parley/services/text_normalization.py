"""Written -> spoken text before synthesis: "$3.50" -> "three dollars fifty cents",
"Dr." -> "doctor", dates and times spelled out (NeMo's English grammars)."""

from __future__ import annotations

import functools
import logging
import threading
from typing import Any

logger = logging.getLogger(__name__)

_LOCK = threading.Lock()


@functools.cache
def _normalizer(language: str) -> Any:
    from kitten_text_processing import Normalizer

    return Normalizer(input_case="cased", lang=language)


def normalize_for_speech(text: str, language: str = "en") -> str:
    """Spell out what a voice cannot read as written; text the grammars do not cover
    passes through unchanged."""
    from kitten_text_processing import SUPPORTED_LANGUAGES

    code = language.split("-", maxsplit=1)[0].lower()
    if code not in SUPPORTED_LANGUAGES or not text.strip():
        return text
    with _LOCK:
        normalizer = _normalizer(code)
    return str(normalizer.normalize(text, punct_post_process=True))
