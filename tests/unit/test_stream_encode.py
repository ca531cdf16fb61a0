"""Audio encoded while it is produced: bytes leave after each piece, and the pieces
joined are one file any decoder reads, as long as what went in."""

from __future__ import annotations

import numpy as np
import pytest

from parley.audio.decode import decode_audio
from parley.audio.stream_encode import StreamEncoder
from parley.domain.speech import AudioFormat

RATE = 22050
TONE = (0.3 * np.sin(2 * np.pi * 440 * np.arange(RATE) / RATE)).astype(np.float32)


@pytest.mark.parametrize(
    "fmt",
    [AudioFormat.MP3, AudioFormat.OGG_OPUS, AudioFormat.AAC, AudioFormat.FLAC, AudioFormat.WAV],
)
def test_pieces_leave_as_they_come_and_join_into_one_file(fmt: AudioFormat) -> None:
    encoder = StreamEncoder(fmt, RATE)
    parts = [encoder.write(TONE), encoder.write(TONE), encoder.write(TONE), encoder.close()]
    assert all(parts[:3]), "a piece of audio produced no bytes until the end"
    audio = decode_audio(b"".join(parts))
    assert audio.duration == pytest.approx(3.0, abs=0.1)
    assert np.abs(audio.mono()).max() > 0.2


def test_pcm_is_resampled_and_headerless() -> None:
    encoder = StreamEncoder(AudioFormat.PCM, RATE, 24000)
    data = encoder.write(TONE) + encoder.close()
    assert len(data) == 2 * 24000


def test_formats_that_cannot_be_streamed_are_refused() -> None:
    with pytest.raises(Exception, match="cannot be streamed"):
        StreamEncoder(AudioFormat.M4A, RATE)
