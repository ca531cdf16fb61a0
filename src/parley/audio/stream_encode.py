"""Audio encoded as it is produced: one container, its bytes handed out after each piece of
audio, so a listener starts before the last sentence is spoken."""

from __future__ import annotations

import struct

import av
import numpy as np

from parley.audio.encode import _FFMPEG_FORMATS, _supported_rate, _to_int16
from parley.audio.resample import resample
from parley.domain.audio import FloatArray
from parley.domain.speech import AudioFormat
from parley.errors import UnsupportedEncoding

# Containers and codecs that can be written front to back, with FFmpeg's names.
_STREAMED: dict[AudioFormat, tuple[str, str]] = {
    AudioFormat.MP3: ("mp3", "libmp3lame"),
    AudioFormat.OGG_OPUS: ("ogg", "libopus"),
    AudioFormat.AAC: ("adts", "aac"),
    AudioFormat.FLAC: ("flac", "flac"),
}
_RATES = {f: rates for f, (_, _, rates) in _FFMPEG_FORMATS.items()}
# Ogg pages of 100 ms instead of 1 s: audio leaves as soon as it is encoded.
_OPTIONS = {AudioFormat.OGG_OPUS: {"page_duration": "100000"}}
# A WAV header whose lengths say "until the stream ends", as streaming servers send it.
_UNKNOWN_LENGTH = 0xFFFFFFFF


class _Sink:
    """A write-only file for FFmpeg: what it writes is collected until taken."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


class StreamEncoder:
    """`write(samples)` returns the bytes ready so far; `close()` the rest. Mono float32
    at `in_rate` in; `fmt` at `out_rate` (or `in_rate`) out."""

    def __init__(self, fmt: AudioFormat, in_rate: int, out_rate: int | None = None) -> None:
        if fmt not in (*_STREAMED, AudioFormat.WAV, AudioFormat.PCM):
            raise UnsupportedEncoding(f"{fmt.value} cannot be streamed", field="format")
        self.format = fmt
        self._in_rate = in_rate
        self.rate = _supported_rate(out_rate or in_rate, _RATES.get(fmt, ()))
        self._header = fmt is AudioFormat.WAV
        self._sink = _Sink()
        self._container: av.container.OutputContainer | None = None
        if fmt in _STREAMED:
            muxer, codec = _STREAMED[fmt]
            self._container = av.open(self._sink, "w", format=muxer, options=_OPTIONS.get(fmt))
            stream = self._container.add_stream(codec, rate=self.rate, layout="mono")
            assert isinstance(stream, av.AudioStream)
            self._stream = stream
            context = stream.codec_context
            self._resampler = av.AudioResampler(
                format=context.format.name if context.format else "s16",
                layout="mono",
                rate=self.rate,
                frame_size=context.frame_size or None,
            )

    def write(self, samples: FloatArray) -> bytes:
        pcm = _to_int16(np.clip(resample(samples, self._in_rate, self.rate), -1.0, 1.0))
        if self._container is None:
            return self._wav_header() + pcm.tobytes()
        frame = av.AudioFrame.from_ndarray(pcm[None, :], format="s16", layout="mono")
        frame.sample_rate = self.rate
        for chunk in self._resampler.resample(frame):
            self._container.mux(self._stream.encode(chunk))
        return self._sink.take()

    def close(self) -> bytes:
        if self._container is None:
            return self._wav_header()
        for chunk in self._resampler.resample(None):
            self._container.mux(self._stream.encode(chunk))
        self._container.mux(self._stream.encode(None))
        self._container.close()
        return self._sink.take()

    def _wav_header(self) -> bytes:
        if not self._header:
            return b""
        self._header = False
        return (
            b"RIFF"
            + struct.pack("<I", _UNKNOWN_LENGTH)
            + b"WAVEfmt "
            + struct.pack("<IHHIIHH", 16, 1, 1, self.rate, 2 * self.rate, 2, 16)
            + b"data"
            + struct.pack("<I", _UNKNOWN_LENGTH)
        )
