"""Silence, noise, stereo and other encodings through the real engine."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import soundfile as sf

from parley.audio.encode import encode_audio
from parley.domain.speech import AudioFormat
from parley.domain.transcript import RecognitionOptions
from parley.evaluation.wer import word_error_rate
from parley.services.container import Services
from parley.services.transcription import AudioInput
from tests.conftest import clip
from tests.models.conftest import recognize


def wav(samples: np.ndarray, path: Path, rate: int = 16000) -> Path:
    sf.write(path, samples, rate)
    return path


def test_silence_gives_an_empty_transcript(services: Services, tmp_path: Path) -> None:
    transcript = recognize(services, wav(np.zeros(16000 * 5, np.float32), tmp_path / "s.wav"))
    assert transcript.segments == ()
    assert transcript.text == ""


def test_quiet_noise_invents_no_words(services: Services, tmp_path: Path) -> None:
    noise = (np.random.default_rng(0).normal(0, 0.003, 16000 * 8)).astype(np.float32)
    assert recognize(services, wav(noise, tmp_path / "n.wav"), language="en").text == ""


def test_two_speakers_on_two_channels(services: Services, tmp_path: Path) -> None:
    left, right = clip("ps_goforward").samples(), clip("arctic_a0007").samples()
    n = max(len(left), len(right))
    stereo = np.zeros((n, 2), np.float32)
    stereo[: len(left), 0], stereo[: len(right), 1] = left, right
    transcript = recognize(
        services, wav(stereo, tmp_path / "st.wav"), language="en", separate_channels=True
    )
    by_channel = {
        ch: " ".join(s.text for s in transcript.segments if s.channel == ch) for ch in (1, 2)
    }
    assert word_error_rate([clip("ps_goforward").reference], [by_channel[1]]).wer <= 0.25
    assert word_error_rate([clip("arctic_a0007").reference], [by_channel[2]]).wer <= 0.15
    assert transcript.channels == 2


def test_compressed_and_resampled_input(services: Services) -> None:
    source = clip("ps_librivox_0930")
    for fmt, rate in (
        (AudioFormat.MP3, 44100),
        (AudioFormat.OGG_OPUS, 48000),
        (AudioFormat.FLAC, 8000),
    ):
        data = encode_audio(source.samples(), 16000, fmt, rate)
        record = services.transcription.transcribe(
            AudioInput(data, f"x.{fmt}"), RecognitionOptions(language="en")
        )
        assert word_error_rate([source.reference], [record.text]).wer <= 0.25, (fmt, record.text)


def test_the_stored_audio_is_what_was_sent(services: Services) -> None:
    data = clip("ps_goforward").path.read_bytes()
    record = services.transcription.transcribe(AudioInput(data, "g.wav"), RecognitionOptions())
    assert services.store.audio.read(record.audio_key or "") == data
    assert sf.info(io.BytesIO(data)).samplerate == 16000
    stored = services.store.get_transcription(record.id)
    assert stored.text == record.text
    assert stored.inference_seconds
    assert stored.inference_seconds > 0
