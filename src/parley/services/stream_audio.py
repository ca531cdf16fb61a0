"""Audio arriving in pieces -> float PCM per channel at 16 kHz, with nothing held back
but a partial sample."""

from __future__ import annotations

import io
import wave

import numpy as np
import soxr

from parley.audio.decode import decode_audio
from parley.domain.audio import AudioEncoding, FloatArray, RawAudioFormat
from parley.errors import InvalidArgument, InvalidAudio

_BYTES_PER_SAMPLE = {AudioEncoding.LINEAR16: 2, AudioEncoding.MULAW: 1, AudioEncoding.ALAW: 1}


class RawStreamDecoder:
    """Headerless samples as declared. A WAV header at the very start is read and must
    agree with the declaration."""

    def __init__(self, fmt: RawAudioFormat, target_rate: int) -> None:
        self.format = fmt
        self._frame_bytes = _BYTES_PER_SAMPLE[fmt.encoding] * fmt.channels
        self._pending = b""
        self._started = False
        self._resamplers = [
            soxr.ResampleStream(fmt.sample_rate, target_rate, 1, dtype="float32", quality="HQ")
            for _ in range(fmt.channels)
        ]

    def decode(self, data: bytes, *, last: bool = False) -> list[FloatArray]:
        """The new audio of each channel (possibly empty)."""
        if not self._started:
            data = self._skip_header(self._pending + data)
            self._pending = b""
        data = self._pending + data
        whole = len(data) - len(data) % self._frame_bytes
        self._pending = data[whole:]
        channels = (
            decode_audio(data[:whole], raw=self.format).samples
            if whole
            else np.zeros((self.format.channels, 0), np.float32)
        )
        return [
            np.asarray(r.resample_chunk(c, last=last), np.float32)
            for r, c in zip(self._resamplers, channels, strict=True)
        ]

    def _skip_header(self, data: bytes) -> bytes:
        if len(data) < 44 and data.startswith(b"RIFF"[: len(data)]):
            self._pending = data  # wait for the whole header
            return b""
        self._started = True
        if not data.startswith(b"RIFF"):
            return data
        try:
            with wave.open(io.BytesIO(data)) as header:
                rate, channels = header.getframerate(), header.getnchannels()
        except (wave.Error, EOFError) as error:
            raise InvalidAudio(f"the stream starts with a broken WAV header: {error}") from error
        if rate != self.format.sample_rate or channels != self.format.channels:
            raise InvalidArgument(
                f"the WAV header says {rate} Hz, {channels} channel(s), but the config "
                f"says {self.format.sample_rate} Hz, {self.format.channels}",
                field="config.sample_rate_hertz",
            )
        # A streaming WAV header announces any length: everything after it is samples.
        return data[data.find(b"data", 12) + 8 :]
