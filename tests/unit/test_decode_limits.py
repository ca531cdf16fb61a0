"""Hostile audio: many channels, decompression bombs, lying headers. Each is decoded or
refused quickly, with memory bounded by the caller's limit, and never crashes."""

from __future__ import annotations

import io
import os
import resource
import signal
import struct
import time

import numpy as np
import pytest
import soundfile as sf

from parley.audio.decode import DecodeLimits, decode_audio
from parley.audio.sandbox import DecoderSandbox
from parley.domain.audio import AudioEncoding, RawAudioFormat
from parley.errors import InvalidArgument, InvalidAudio, TooLarge
from tests.unit.test_decode import soundfile_bytes

RATE = 16000
MINUTE = DecodeLimits(max_seconds=60)


def distinct_channels(count: int, seconds: float = 0.5) -> np.ndarray:
    """(frames, count): channel i is a tone at 200 * (i + 1) Hz."""
    t = np.arange(int(seconds * RATE)) / RATE
    return np.stack([0.1 * np.sin(2 * np.pi * 200 * (i + 1) * t) for i in range(count)], 1)


@pytest.mark.parametrize("fmt", ["WAV", "FLAC"])
@pytest.mark.parametrize("channels", [3, 6, 8])
def test_many_channels_decode_in_order(fmt: str, channels: int) -> None:
    signal = distinct_channels(channels).astype(np.float32)
    audio = decode_audio(soundfile_bytes(signal, RATE, fmt, "PCM_16"))
    assert audio.channels == channels
    assert np.abs(audio.samples - signal.T).max() < 1e-3


def test_eight_headerless_channels_decode() -> None:
    signal = distinct_channels(8)
    pcm = (signal * 32767).astype("<i2").tobytes()
    audio = decode_audio(pcm, raw=RawAudioFormat(AudioEncoding.LINEAR16, RATE, 8))
    assert audio.channels == 8
    assert np.abs(audio.samples - signal.T).max() < 1e-3


def _silent_flac(minutes: float, channels: int, *, hide_length: bool = False) -> bytes:
    data = bytearray(
        soundfile_bytes(
            np.zeros((int(minutes * 60 * RATE), channels), np.int16), RATE, "FLAC", "PCM_16"
        )
    )
    if hide_length:
        # STREAMINFO's 36-bit total sample count (as a streaming encoder writes it: 0).
        data[21] &= 0xF0
        data[22:26] = bytes(4)
    return bytes(data)


@pytest.mark.parametrize("hide_length", [False, True])
def test_a_small_file_that_expands_to_minutes_is_refused_early(hide_length: bool) -> None:
    bomb = _silent_flac(20, 7, hide_length=hide_length)
    assert len(bomb) < 400_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(TooLarge, match="at most 60 s"):
        decode_audio(bomb, limits=MINUTE)
    elapsed = time.perf_counter() - started
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    # 20 minutes of 7 channels would be 540 MB as float; one minute is 27 MB.
    assert grown_mb < 120
    assert elapsed < (0.1 if not hide_length else 5.0)


def test_headerless_audio_over_the_limit_is_refused_before_decoding() -> None:
    pcm = bytes(2 * RATE * 61)
    with pytest.raises(TooLarge):
        decode_audio(pcm, raw=RawAudioFormat(AudioEncoding.LINEAR16, RATE, 1), limits=MINUTE)


def _wav_with_rate(rate: int) -> bytes:
    data = bytearray(soundfile_bytes(np.zeros(RATE, np.int16), RATE, "WAV", "PCM_16"))
    data[24:32] = struct.pack("<II", rate, rate * 2)
    return bytes(data)


@pytest.mark.parametrize("rate", [1, 4000, 96000])
def test_a_header_rate_outside_the_limits_is_refused(rate: int) -> None:
    with pytest.raises(InvalidArgument, match="sample rate") as error:
        decode_audio(_wav_with_rate(rate), limits=DecodeLimits(max_rate=48000))
    assert error.value.field == "sample_rate"


def _crash(data: bytes, **_: object) -> object:
    if data == b"crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    return decode_audio(data, **_)  # type: ignore[arg-type]


def test_a_crash_in_the_decoder_costs_one_request() -> None:
    sandbox = DecoderSandbox(processes=1, function=_crash)
    good = soundfile_bytes(distinct_channels(2).astype(np.float32), RATE, "WAV", "PCM_16")
    try:
        with pytest.raises(InvalidAudio, match="crashed the decoder"):
            sandbox.decode(b"crash")
        assert sandbox.crashes == 2  # refused only after a second try on fresh processes
        assert sandbox.decode(good).channels == 2
    finally:
        sandbox.shutdown()


def test_the_sandbox_applies_the_limits() -> None:
    sandbox = DecoderSandbox(processes=1)
    try:
        with pytest.raises(TooLarge):
            sandbox.decode(_silent_flac(2, 1, hide_length=True), limits=MINUTE)
        flac = io.BytesIO()
        sf.write(flac, distinct_channels(8), RATE, format="FLAC")
        assert sandbox.decode(flac.getvalue()).channels == 8
    finally:
        sandbox.shutdown()


def test_a_probe_checks_the_header_and_decodes_only_the_start() -> None:
    long_flac = soundfile_bytes(
        distinct_channels(1, seconds=600).astype(np.float32), RATE, "FLAC", "PCM_16"
    )
    probed = decode_audio(long_flac, limits=DecodeLimits(max_seconds=3600, probe_seconds=2))
    assert 2 <= probed.duration < 3
    cut = long_flac[: len(long_flac) // 2]
    assert decode_audio(cut, limits=DecodeLimits(probe_seconds=2)).duration < 3
    with pytest.raises(InvalidAudio):
        decode_audio(cut)
    with pytest.raises(TooLarge):
        decode_audio(long_flac, limits=DecodeLimits(max_seconds=60, probe_seconds=2))
    with pytest.raises(InvalidAudio):
        decode_audio(b"not audio" * 50, limits=DecodeLimits(probe_seconds=2))
