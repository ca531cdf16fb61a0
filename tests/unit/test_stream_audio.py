"""Audio in pieces: partial samples wait for the rest, a WAV header is read and checked."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf

from parley.domain.audio import AudioEncoding, RawAudioFormat
from parley.errors import InvalidArgument
from parley.services.stream_audio import RawStreamDecoder

LINEAR16 = RawAudioFormat(AudioEncoding.LINEAR16, 16000, 1)


def tone(seconds: float = 1.0, rate: int = 16000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def test_pieces_that_split_a_sample_lose_nothing() -> None:
    pcm = (tone() * 32767).astype("<i2").tobytes()
    decoder = RawStreamDecoder(LINEAR16, 16000)
    pieces = [decoder.decode(pcm[i : i + 333])[0] for i in range(0, len(pcm), 333)]
    pieces.append(decoder.decode(b"", last=True)[0])
    joined = np.concatenate(pieces)
    assert len(joined) == 16000
    assert np.allclose(joined, tone(), atol=1e-3)


def test_a_wav_header_in_pieces_is_skipped() -> None:
    buffer = io.BytesIO()
    sf.write(buffer, tone(), 16000, format="WAV", subtype="PCM_16")
    data = buffer.getvalue()
    decoder = RawStreamDecoder(LINEAR16, 16000)
    out = [decoder.decode(data[:20])[0], decoder.decode(data[20:])[0]]
    out.append(decoder.decode(b"", last=True)[0])
    assert len(np.concatenate(out)) == 16000


def test_a_wav_header_that_contradicts_the_declaration_is_refused() -> None:
    buffer = io.BytesIO()
    sf.write(buffer, tone(rate=8000), 8000, format="WAV", subtype="PCM_16")
    with pytest.raises(InvalidArgument, match="8000 Hz"):
        RawStreamDecoder(LINEAR16, 16000).decode(buffer.getvalue())


def test_stereo_mulaw_at_8_khz_comes_out_per_channel_at_16_khz() -> None:
    fmt = RawAudioFormat(AudioEncoding.MULAW, 8000, 2)
    decoder = RawStreamDecoder(fmt, 16000)
    channels = decoder.decode(b"\xff\x7f" * 8000)  # one second, both channels near silence
    channels = [
        np.concatenate([c, last])
        for c, last in zip(channels, decoder.decode(b"", last=True), strict=True)
    ]
    assert [len(c) for c in channels] == [16000, 16000]
