"""Audio built to hurt the server: many channels, decompression bombs, lying headers.
Each gets its answer over both transports, quickly, and the server keeps serving."""

from __future__ import annotations

import time

import numpy as np
import pytest
import soundfile as sf
from google.cloud import speech_v1 as speech

from parley.bench.procs import tree_peak_mb
from tests.conftest import clip
from tests.contract.conftest import Server
from tests.contract.test_errors import INVALID, _violated_fields
from tests.unit.test_decode import soundfile_bytes
from tests.unit.test_decode_limits import _silent_flac, _wav_with_rate

Encoding = speech.RecognitionConfig.AudioEncoding
SPEECH = clip("ps_goforward")


def _eight_channels(fmt: str) -> bytes:
    samples = SPEECH.samples()
    return soundfile_bytes(np.repeat(samples[:, None], 8, axis=1), 16000, fmt, "PCM_16")


@pytest.mark.parametrize("fmt", ["WAV", "FLAC", "RAW"])
def test_eight_channel_audio_is_recognized(any_client: speech.SpeechClient, fmt: str) -> None:
    config = speech.RecognitionConfig(language_code="en-US", audio_channel_count=8)
    if fmt == "RAW":
        data = _eight_channels("WAV")[44:]
        config.encoding, config.sample_rate_hertz = Encoding.LINEAR16, 16000
    else:
        data = _eight_channels(fmt)
    response = any_client.recognize(config=config, audio=speech.RecognitionAudio(content=data))
    assert "forward" in response.results[0].alternatives[0].transcript.lower()


def test_eight_channel_audio_long_running(client: speech.SpeechClient) -> None:
    operation = client.long_running_recognize(
        config=speech.RecognitionConfig(language_code="en-US"),
        audio=speech.RecognitionAudio(content=_eight_channels("FLAC")),
    )
    response = operation.result(timeout=120)
    assert "forward" in response.results[0].alternatives[0].transcript.lower()


@pytest.mark.parametrize("hide_length", [False, True], ids=["with length", "streamed"])
def test_a_decompression_bomb_is_refused_at_once(
    any_client: speech.SpeechClient, server: Server, hide_length: bool
) -> None:
    bomb = _silent_flac(20, 7, hide_length=hide_length)  # 20 min of 7 channels, ~140 KB
    _refused_within_seconds(any_client, bomb, 5)
    assert server.ready()


def _refused_within_seconds(client: speech.SpeechClient, bomb: bytes, seconds: float) -> None:
    """Sync recognition refuses the bomb as too long for it, within `seconds`."""
    started = time.monotonic()
    with pytest.raises(INVALID, match="1 min"):
        client.recognize(
            config=speech.RecognitionConfig(language_code="en-US"),
            audio=speech.RecognitionAudio(content=bomb),
        )
    assert time.monotonic() - started < seconds


def test_a_header_with_a_one_hertz_rate_is_refused(any_client: speech.SpeechClient) -> None:
    for call in (any_client.recognize, any_client.long_running_recognize):
        with pytest.raises(INVALID) as error:
            call(
                config=speech.RecognitionConfig(language_code="en-US"),
                audio=speech.RecognitionAudio(content=_wav_with_rate(1)),
            )
        assert _violated_fields(error.value) == ["config.sample_rate_hertz"]


def test_still_serving(any_client: speech.SpeechClient) -> None:
    data, _ = sf.read(SPEECH.path, dtype="int16")
    response = any_client.recognize(
        config=speech.RecognitionConfig(
            language_code="en-US", encoding=Encoding.LINEAR16, sample_rate_hertz=16000
        ),
        audio=speech.RecognitionAudio(content=data.tobytes()),
    )
    assert "forward" in response.results[0].alternatives[0].transcript.lower()


@pytest.fixture(scope="module")
def two_hour_bomb() -> bytes:
    return _silent_flac(120, 1, hide_length=True)  # 2 h: 460 MB as float, no length


def test_a_two_hour_bomb_keeps_memory_flat(
    any_client: speech.SpeechClient, server: Server, two_hour_bomb: bytes
) -> None:
    before = tree_peak_mb(server.process.pid)
    _refused_within_seconds(any_client, two_hour_bomb, 5)
    assert tree_peak_mb(server.process.pid) < max(before, 600) + 100


def test_long_running_audio_is_probed_then_decoded_once(client: speech.SpeechClient) -> None:
    """Accepted after a look at its header and start; a file cut in the middle fails its
    operation when it runs, with the reason."""
    data = SPEECH.path.read_bytes()
    flac = soundfile_bytes(np.tile(SPEECH.samples(), 6), 16000, "FLAC", "PCM_16")
    operation = client.long_running_recognize(
        config=speech.RecognitionConfig(language_code="en-US"),
        audio=speech.RecognitionAudio(content=flac[: len(flac) // 2]),
    )
    with pytest.raises(INVALID) as error:
        operation.result(timeout=120)
    assert "audio" in str(error.value)  # truncated, or not readable past the cut
    whole = client.long_running_recognize(
        config=speech.RecognitionConfig(language_code="en-US"),
        audio=speech.RecognitionAudio(content=data),
    )
    assert "forward" in whole.result(timeout=120).results[0].alternatives[0].transcript.lower()
