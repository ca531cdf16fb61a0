"""Audio arriving in pieces -> float PCM per channel at the engine's rate, as soon as
each piece can be decoded.

Headerless samples are converted on the spot. A container (WebM or Ogg with Opus, FLAC,
MP3) is read by FFmpeg (PyAV) on a thread of its own, from a pipe the pieces are
written to, so a browser's MediaRecorder output is recognized while it records."""

from __future__ import annotations

import io
import queue
import threading
import wave
from dataclasses import dataclass
from typing import Any, Protocol

import av
import numpy as np
import soxr

from parley.audio.decode import decode_audio
from parley.audio.frames import frame_samples, packed_resampler
from parley.domain.audio import AudioEncoding, FloatArray, RawAudioFormat
from parley.errors import InvalidArgument, InvalidAudio


@dataclass(frozen=True)
class ContainerAudio:
    """Audio in a container, read by FFmpeg's `demuxer`; `codecs` the ones allowed."""

    demuxer: str
    codecs: frozenset[str]
    channels: int  # as declared; a mono declaration mixes any channels down
    name: str  # as the caller named the encoding


StreamAudio = RawAudioFormat | ContainerAudio


class StreamDecoder(Protocol):
    channels: int

    def decode(self, data: bytes, *, last: bool = False) -> list[FloatArray]:
        """The new audio of each channel (possibly empty); `last` flushes."""
        ...

    def close(self) -> None:
        """Stop, whether the audio ended or not."""
        ...


def stream_decoder(audio: StreamAudio, target_rate: int) -> StreamDecoder:
    if isinstance(audio, RawAudioFormat):
        return RawStreamDecoder(audio, target_rate)
    return ContainerStreamDecoder(audio, target_rate)


_BYTES_PER_SAMPLE = {AudioEncoding.LINEAR16: 2, AudioEncoding.MULAW: 1, AudioEncoding.ALAW: 1}


class RawStreamDecoder:
    """Headerless samples as declared. A WAV header at the very start is read and must
    agree with the declaration."""

    def __init__(self, fmt: RawAudioFormat, target_rate: int) -> None:
        self.format = fmt
        self.channels = fmt.channels
        self._frame_bytes = _BYTES_PER_SAMPLE[fmt.encoding] * fmt.channels
        self._pending = b""
        self._started = False
        self._resamplers = [
            soxr.ResampleStream(fmt.sample_rate, target_rate, 1, dtype="float32", quality="HQ")
            for _ in range(fmt.channels)
        ]

    def decode(self, data: bytes, *, last: bool = False) -> list[FloatArray]:
        """The new audio of each channel (possibly empty)."""
        data, self._pending = self._pending + data, b""
        if not self._started:
            if _partial_header(data) and not last:
                self._pending = data  # wait for the whole header
                return [np.zeros(0, np.float32)] * self.channels
            data = self._skip_header(data)
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

    def close(self) -> None:
        pass

    def _skip_header(self, data: bytes) -> bytes:
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


def _partial_header(data: bytes) -> bool:
    """The start of a WAV header, not yet up to its samples."""
    if len(data) < 4:
        return b"RIFF".startswith(data)
    return data.startswith(b"RIFF") and data.find(b"data", 12) < 0 and len(data) < 64 * 1024


class _Pipe(io.RawIOBase):
    """Bytes written on one thread, read on another; reading waits for data or the end."""

    def __init__(self) -> None:
        self._chunks: queue.Queue[bytes] = queue.Queue()
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def feed(self, data: bytes) -> None:
        self._chunks.put(data)

    def end(self) -> None:
        self._chunks.put(b"")

    def readinto(self, target: Any) -> int:
        if not self._buffer:
            self._buffer = self._chunks.get()  # b"" marks the end
        count = min(len(target), len(self._buffer))
        target[:count] = self._buffer[:count]
        self._buffer = self._buffer[count:]
        return count


class ContainerStreamDecoder:
    def __init__(self, audio: ContainerAudio, target_rate: int) -> None:
        self.audio = audio
        self.channels = audio.channels
        self._target_rate = target_rate
        self._pipe = _Pipe()
        self._decoded: queue.Queue[FloatArray | Exception] = queue.Queue()
        self._thread = threading.Thread(target=self._read, daemon=True, name="stream-decoder")
        self._resamplers: list[soxr.ResampleStream] = []
        self._rate = 0

    def decode(self, data: bytes, *, last: bool = False) -> list[FloatArray]:
        if not self._thread.is_alive() and not last and data:
            self._thread.start()
        if data:
            self._pipe.feed(data)
        if last:
            self._pipe.end()
            if self._thread.is_alive():
                self._thread.join(30)
        return self._collect(last)

    def close(self) -> None:
        self._pipe.end()

    def _read(self) -> None:
        try:
            with av.open(self._pipe, "r", format=self.audio.demuxer) as container:
                stream = container.streams.audio[0]
                if stream.codec_context.name not in self.audio.codecs:
                    raise InvalidArgument(
                        f"encoding {self.audio.name} does not match the audio, which is "
                        f"{stream.codec_context.name}",
                        field="config.encoding",
                    )
                packed = packed_resampler()
                for frame in container.decode(stream):
                    for out in packed.resample(frame):
                        self._rate = out.sample_rate
                        self._decoded.put(frame_samples(out))
        except InvalidArgument as error:
            self._decoded.put(error)
        except (av.FFmpegError, ValueError, IndexError) as error:
            self._decoded.put(InvalidAudio(f"the {self.audio.name} stream cannot be read: {error}"))

    def _collect(self, last: bool) -> list[FloatArray]:
        blocks: list[FloatArray] = []
        while not self._decoded.empty():
            item = self._decoded.get()
            if isinstance(item, Exception):
                raise item
            blocks.append(self._fit(item))
        if not blocks and not last:
            return [np.zeros(0, np.float32)] * self.channels
        joined = (
            np.concatenate(blocks, axis=1) if blocks else np.zeros((self.channels, 0), np.float32)
        )
        if not self._resamplers and self._rate:
            self._resamplers = [
                soxr.ResampleStream(self._rate, self._target_rate, 1, dtype="float32")
                for _ in range(self.channels)
            ]
        if not self._resamplers:
            return [np.zeros(0, np.float32)] * self.channels
        return [
            np.asarray(r.resample_chunk(c, last=last), np.float32)
            for r, c in zip(self._resamplers, joined, strict=True)
        ]

    def _fit(self, block: FloatArray) -> FloatArray:
        """To the channels declared."""
        if block.shape[0] == self.channels:
            return block
        if self.channels == 1:
            return np.asarray(block.mean(axis=0, keepdims=True), np.float32)
        raise InvalidArgument(
            f"the audio has {block.shape[0]} channel(s), the config says {self.channels}",
            field="config.audio_channel_count",
        )
