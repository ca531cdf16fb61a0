from __future__ import annotations

import pytest

from parley.errors import UnsupportedLanguage
from parley.services.languages import model_language

WHISPER = frozenset({"en", "fr", "de", "he", "zh", "yue", "no"})


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("en-US", "en"),
        ("EN", "en"),
        ("fr_FR", "fr"),
        ("iw-IL", "he"),
        ("zh-yue", "yue"),
        ("cmn-Hans-CN", None),
        ("nb-NO", "no"),
        ("de-DE-1996", "de"),
    ],
)
def test_bcp47_tags_map_to_model_codes(tag: str, code: str | None) -> None:
    if code is None:
        with pytest.raises(UnsupportedLanguage):
            model_language(tag, WHISPER, "m")
    else:
        assert model_language(tag, WHISPER, "m") == code


@pytest.mark.parametrize("tag", ["", "english", "e", "en-", "12"])
def test_malformed_tags(tag: str) -> None:
    with pytest.raises(UnsupportedLanguage):
        model_language(tag, WHISPER, "m")


def test_english_only_model_refuses_french() -> None:
    with pytest.raises(UnsupportedLanguage, match="not supported by model tiny"):
        model_language("fr-FR", frozenset({"en"}), "tiny")
