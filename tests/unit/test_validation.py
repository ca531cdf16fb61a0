"""Requests are checked before any audio is decoded, and bad ones leave nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.domain.transcript import PhraseHint, RecognitionOptions, Task
from parley.errors import (
    EmptyAudio,
    InvalidArgument,
    InvalidAudio,
    UnknownModel,
    UnsupportedLanguage,
)
from parley.services.profanity import ProfanityFilter
from parley.services.transcription import AudioInput, TranscriptionService
from parley.store import Store
from tests.unit.pools import InlinePool
from tests.unit.test_stitching import sound_reading


@pytest.fixture
def service(tmp_path: Path) -> TranscriptionService:
    store = Store(f"sqlite:///{tmp_path}/db.sqlite", tmp_path / "audio")
    return TranscriptionService(
        InlinePool(sound_reading),
        store,  # type: ignore[arg-type]
        default_model="whisper-base",
        window_seconds=60,
        profanity=ProfanityFilter(),
    )


def test_defaults_and_language_codes_are_filled_in(service: TranscriptionService) -> None:
    spec, options = service.validate(RecognitionOptions(language="en-GB"))
    assert spec.name == options.model == "whisper-base"
    assert options.language == "en"
    assert service.validate(RecognitionOptions(model="tiny.en"))[0].name == "whisper-tiny.en"


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        (RecognitionOptions(model="large-v9"), UnknownModel, "unknown model 'large-v9'"),
        (RecognitionOptions(model="tiny.en", language="fr"), UnsupportedLanguage, "not supported"),
        (RecognitionOptions(language="klingon"), UnsupportedLanguage, "BCP-47"),
        (RecognitionOptions(max_alternatives=31), InvalidArgument, "between 1 and 30"),
        (RecognitionOptions(max_alternatives=0), InvalidArgument, "between 1 and 30"),
        (
            RecognitionOptions(model="tiny.en", task=Task.TRANSLATE),
            InvalidArgument,
            "cannot translate",
        ),
        (RecognitionOptions(phrases=(PhraseHint(" "),)), InvalidArgument, "phrase hints"),
        (RecognitionOptions(phrases=(PhraseHint("x", 50),)), InvalidArgument, "boost"),
    ],
)
def test_bad_options(
    service: TranscriptionService, options: RecognitionOptions, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        service.validate(options)


@pytest.mark.parametrize(
    ("data", "error"),
    [(b"", EmptyAudio), (b"not audio at all" * 10, InvalidAudio)],
)
def test_bad_audio_stores_nothing(
    service: TranscriptionService, tmp_path: Path, data: bytes, error: type
) -> None:
    with pytest.raises(error):
        service.transcribe(AudioInput(data, "bad.wav"), RecognitionOptions())
    assert service._store.list_transcriptions()[1] == 0
    assert not [p for p in (tmp_path / "audio").rglob("*") if p.is_file()]
