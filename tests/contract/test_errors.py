"""Every bad request gets the status Google would give, through the official client's
exceptions, over both transports; the server keeps serving."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf
from google.api_core import exceptions
from google.cloud import speech_v1 as speech

from tests.conftest import assert_heard, clip
from tests.contract.conftest import DATA

Encoding = speech.RecognitionConfig.AudioEncoding
# The client raises InvalidArgument for gRPC's status and BadRequest for REST's HTTP 400.
INVALID = (exceptions.InvalidArgument, exceptions.BadRequest)
GOOD = clip("ps_goforward").path.read_bytes()


def wav(seconds: float) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(int(16000 * seconds), np.float32), 16000, format="WAV")
    return buffer.getvalue()


CASES = {
    "unsupported language": (dict(language_code="xx-YY"), GOOD, "config.language_code"),
    "English-only model": (
        dict(language_code="fr-FR", model="whisper-tiny.en"),
        GOOD,
        "config.language_code",
    ),
    "unknown model": (dict(language_code="en-US", model="huge-v9"), GOOD, "config.model"),
    "encoding that is not the audio": (
        dict(language_code="en-US", encoding=Encoding.FLAC),
        GOOD,
        "config.encoding",
    ),
    "Speex": (
        dict(
            language_code="en-US", encoding=Encoding.SPEEX_WITH_HEADER_BYTE, sample_rate_hertz=16000
        ),
        GOOD,
        "config.encoding",
    ),
    "rate out of range": (
        dict(language_code="en-US", sample_rate_hertz=96000),
        GOOD,
        "config.sample_rate_hertz",
    ),
    "rate against the header": (
        dict(language_code="en-US", sample_rate_hertz=8000),
        GOOD,
        "config.sample_rate_hertz",
    ),
    "channels against the header": (
        dict(language_code="en-US", audio_channel_count=2),
        GOOD,
        "config.audio_channel_count",
    ),
    "raw audio without a rate": (
        dict(language_code="en-US", encoding=Encoding.LINEAR16),
        GOOD[44:],
        "config.sample_rate_hertz",
    ),
    "diarization": (
        dict(language_code="en-US", diarization_config={"enable_speaker_diarization": True}),
        GOOD,
        "config.diarization_config",
    ),
    "corrupt audio": (dict(language_code="en-US"), b"RIFF" + bytes(range(256)) * 40, "audio"),
    "truncated audio": (dict(language_code="en-US"), GOOD[: len(GOOD) // 2], "audio"),
    "empty audio": (dict(language_code="en-US"), b"", "audio"),
    "too many alternatives": (
        dict(language_code="en-US", max_alternatives=31),
        GOOD,
        "config.max_alternatives",
    ),
    "over a minute": (dict(language_code="en-US"), wav(61), "audio"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_invalid_argument(any_client: speech.SpeechClient, case: str) -> None:
    fields, data, field = CASES[case]
    with pytest.raises(INVALID) as error:
        any_client.recognize(
            config=speech.RecognitionConfig(**fields), audio=speech.RecognitionAudio(content=data)
        )
    assert _violated_fields(error.value) == [field]
    assert error.value.message


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("gs://bucket/audio.flac", "gs:// URIs need Google Cloud Storage"),
        ("file:///etc/passwd", "outside the folders"),
        ("https://example.com/a.wav", "is not one audio may be fetched from"),
        ("ftp://example.com/a.wav", "unsupported audio URI"),
    ],
)
def test_uris_that_are_refused(any_client: speech.SpeechClient, uri: str, message: str) -> None:
    with pytest.raises(INVALID, match=message):
        any_client.recognize(
            config=speech.RecognitionConfig(language_code="en-US"),
            audio=speech.RecognitionAudio(uri=uri),
        )


def test_missing_file_is_not_found(any_client: speech.SpeechClient) -> None:
    with pytest.raises(exceptions.NotFound):
        any_client.recognize(
            config=speech.RecognitionConfig(language_code="en-US"),
            audio=speech.RecognitionAudio(uri=(DATA / "nope.wav").as_uri()),
        )


def test_no_audio_at_all(any_client: speech.SpeechClient) -> None:
    with pytest.raises(INVALID, match="RecognitionAudio not set"):
        any_client.recognize(
            config=speech.RecognitionConfig(language_code="en-US"), audio=speech.RecognitionAudio()
        )


def test_request_over_ten_megabytes(any_client: speech.SpeechClient) -> None:
    with pytest.raises((*INVALID, exceptions.ResourceExhausted)) as error:
        any_client.recognize(
            config=speech.RecognitionConfig(language_code="en-US"),
            audio=speech.RecognitionAudio(content=wav(400)),
        )
    assert "exceeds the limit" in str(error.value) or "larger than max" in str(error.value)


def test_long_running_checks_before_accepting(any_client: speech.SpeechClient) -> None:
    with pytest.raises(INVALID):
        any_client.long_running_recognize(
            config=speech.RecognitionConfig(language_code="en-US"),
            audio=speech.RecognitionAudio(content=b"not audio" * 50),
        )


def test_malformed_json_is_a_bad_request(server: object) -> None:
    import httpx

    url = f"{server.http}/v1/speech:recognize"  # type: ignore[attr-defined]
    reply = httpx.post(url, content=b"{not json", headers={"content-type": "application/json"})
    assert reply.status_code == 400
    assert reply.json()["error"]["status"] == "INVALID_ARGUMENT"
    reply = httpx.post(url, json={"config": {"bogusField": 1}})
    assert reply.status_code == 400


def test_still_serving_after_all_that(any_client: speech.SpeechClient) -> None:
    response = any_client.recognize(
        config=speech.RecognitionConfig(language_code="en-US"),
        audio=speech.RecognitionAudio(content=GOOD),
    )
    assert_heard(response.results[0].alternatives[0].transcript, "go forward ten meters")


def _violated_fields(error: exceptions.GoogleAPICallError) -> list[str]:
    """BadRequest field violations, as gRPC (messages) or REST (JSON dicts) carry them."""
    fields = []
    for detail in error.details:
        if isinstance(detail, dict):
            fields += [v["field"] for v in detail.get("fieldViolations", [])]
        else:
            fields += [v.field for v in getattr(detail, "field_violations", [])]
    return fields
