"""Decoding every supported container and encoding, and every way audio can be bad."""

from __future__ import annotations

import io
import struct
import wave
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf

from parley.audio.decode import decode_audio
from parley.audio.encode import encode_with_ffmpeg
from parley.domain.audio import AudioEncoding, RawAudioFormat
from parley.errors import EmptyAudio, InvalidArgument, InvalidAudio, UnsupportedEncoding
from tests.conftest import clip

RATE = 16000


def tone(seconds: float = 1.0, rate: int = RATE, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def soundfile_bytes(samples: np.ndarray, rate: int, fmt: str, subtype: str) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


@pytest.mark.parametrize("subtype", ["PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE"])
def test_wav_sample_formats_decode_to_the_same_signal(subtype: str) -> None:
    signal = tone()
    audio = decode_audio(soundfile_bytes(signal, RATE, "WAV", subtype))
    assert (audio.sample_rate, audio.channels, audio.frames) == (RATE, 1, len(signal))
    tolerance = 0.02 if subtype == "PCM_U8" else 1e-3
    assert np.max(np.abs(audio.mono() - signal)) < tolerance


@pytest.mark.parametrize(
    ("muxer", "codec", "rate", "container"),
    [
        ("flac", "flac", 16000, "flac"),
        ("mp3", "libmp3lame", 16000, "mp3"),
        ("ogg", "libopus", 48000, "ogg"),
        ("webm", "libopus", 48000, "matroska"),
        ("ipod", "aac", 16000, "mov"),
        ("amr", "libopencore_amrnb", 8000, "amr"),
    ],
)
def test_compressed_containers_decode_with_their_duration(
    muxer: str, codec: str, rate: int, container: str
) -> None:
    audio = decode_audio(encode_with_ffmpeg(tone(2.0, rate), rate, muxer, codec))
    assert audio.container == container
    assert audio.sample_rate == rate
    # Encoders add a few frames of priming and padding (AAC: 1024 samples and more).
    assert abs(audio.duration - 2.0) < 0.15
    # The tone survives lossy coding: most of its energy is still there.
    assert 0.2 < float(np.sqrt(np.mean(audio.mono() ** 2))) < 0.5


def test_real_speech_file_from_a_path() -> None:
    audio = decode_audio(clip("ps_goforward").path)
    assert audio.sample_rate == RATE
    assert audio.channels == 1
    assert audio.codec == "pcm_s16le"
    assert audio.container == "wav"


def test_stereo_keeps_channels_apart() -> None:
    left, right = tone(1.0, freq=300), np.zeros(RATE, dtype=np.float32)
    data = soundfile_bytes(np.stack([left, right], axis=1), RATE, "WAV", "PCM_16")
    audio = decode_audio(data)
    assert audio.channels == 2
    assert np.max(np.abs(audio.channel(1))) == 0.0
    assert np.max(np.abs(audio.channel(0) - left)) < 1e-3


@pytest.mark.parametrize("encoding", list(AudioEncoding))
@pytest.mark.parametrize("channels", [1, 2])
def test_headerless_audio_at_a_declared_rate(encoding: AudioEncoding, channels: int) -> None:
    signal = tone(1.0, 8000)
    interleaved = np.repeat(signal, channels)
    if encoding is AudioEncoding.LINEAR16:
        data = (interleaved * 32767).astype("<i2").tobytes()
    else:
        data = ffmpeg_raw(interleaved, encoding)
    audio = decode_audio(data, raw=RawAudioFormat(encoding, 8000, channels))
    assert (audio.sample_rate, audio.channels, audio.frames) == (8000, channels, 8000)
    assert np.max(np.abs(audio.channel(channels - 1) - signal)) < 0.05


def ffmpeg_raw(samples: np.ndarray, encoding: AudioEncoding) -> bytes:
    codec = {"mulaw": "pcm_mulaw", "alaw": "pcm_alaw"}[encoding.value]
    context = av.CodecContext.create(codec, "w")
    context.sample_rate, context.layout, context.format = 8000, "mono", "s16"
    frame = av.AudioFrame.from_ndarray(
        (samples[None, :] * 32767).astype(np.int16), format="s16", layout="mono"
    )
    frame.sample_rate = 8000
    return b"".join(bytes(p) for p in [*context.encode(frame), *context.encode(None)])


def test_empty_bytes_are_refused() -> None:
    with pytest.raises(EmptyAudio, match="empty"):
        decode_audio(b"")


def test_a_wav_without_samples_is_empty() -> None:
    with pytest.raises(EmptyAudio, match="no samples"):
        decode_audio(soundfile_bytes(np.zeros(0, np.float32), RATE, "WAV", "PCM_16"))


@pytest.mark.parametrize(
    "data",
    [b"hello, this is not audio at all" * 20, b"RIFF\x00\x00", Path(__file__).read_bytes()],
    ids=["text", "stub-header", "python-source"],
)
def test_non_audio_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidAudio, match="not readable audio"):
        decode_audio(data)


@pytest.mark.parametrize(
    ("muxer", "codec"), [("wav", None), ("flac", "flac"), ("mp3", "libmp3lame"), ("ipod", "aac")]
)
def test_truncated_files_are_refused(muxer: str, codec: str | None) -> None:
    signal = tone(4.0)
    data = (
        soundfile_bytes(signal, RATE, "WAV", "PCM_16")
        if codec is None
        else encode_with_ffmpeg(signal, RATE, muxer, codec)
    )
    with pytest.raises(InvalidAudio, match=r"truncated|not readable"):
        decode_audio(data[: len(data) // 2])


def test_a_streamed_wav_without_a_size_is_not_called_truncated() -> None:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(RATE)
        writer.writeframes((tone() * 32767).astype("<i2").tobytes())
    data = bytearray(buffer.getvalue())
    data[40:44] = (0xFFFFFFFF).to_bytes(4, "little")  # "size unknown", as live writers do
    assert decode_audio(bytes(data)).frames == RATE


def test_declared_rate_that_contradicts_the_header() -> None:
    data = clip("ps_goforward").path.read_bytes()
    with pytest.raises(InvalidArgument, match="8000 Hz does not match the 16000 Hz") as err:
        decode_audio(data, expect_rate=8000)
    assert err.value.field == "sample_rate"


def test_declared_channels_that_contradict_the_header() -> None:
    data = clip("ps_goforward").path.read_bytes()
    with pytest.raises(InvalidArgument, match="channel count 2 does not match"):
        decode_audio(data, expect_channels=2)


def test_headerless_audio_cut_mid_frame() -> None:
    with pytest.raises(InvalidAudio, match="whole number"):
        decode_audio(b"\x00" * 1001, raw=RawAudioFormat(AudioEncoding.LINEAR16, 16000, 1))


@pytest.mark.parametrize("rate", [0, 4000, 500000])
def test_headerless_audio_at_an_impossible_rate(rate: int) -> None:
    with pytest.raises(InvalidArgument, match="sample rate"):
        decode_audio(b"\x00" * 1000, raw=RawAudioFormat(AudioEncoding.LINEAR16, rate, 1))


def wav_with_codec_tag(tag: int) -> bytes:
    fmt = struct.pack("<HHIIHH", tag, 1, RATE, 2 * RATE, 2, 16)
    data = bytes(3200)
    body = (
        b"WAVEfmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", 3200) + data
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_an_unknown_codec_is_named_unsupported() -> None:
    with pytest.raises(UnsupportedEncoding, match="codec Parley cannot decode"):
        decode_audio(wav_with_codec_tag(0x7777))


def test_a_file_without_audio_is_refused() -> None:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="matroska") as container:
        stream = container.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for _ in range(3):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    with pytest.raises(InvalidAudio, match="no audio stream"):
        decode_audio(buffer.getvalue())
