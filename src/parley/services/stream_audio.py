"""Audio arriving in pieces -> float PCM per channel at the engine's rate, as soon as
each piece can be decoded.

Headerless samples are converted on the spot. A container (WebM or Ogg with Opus, FLAC,
MP3) is read by FFmpeg (PyAV) in a child process, fed the pieces through a pipe, so a
browser's MediaRecorder output is recognized while it records, and a decoder crash ends
one stream, not the server."""

from __future__ import annotations

import contextlib
import io
import queue
import struct
import subprocess
import sys
import threading
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Protocol

import numpy as np
import soxr

from parley.audio.decode import decode_audio
from parley.domain.audio import AudioEncoding, FloatArray, RawAudioFormat
from parley.errors import InvalidArgument, InvalidAudio, ParleyError


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

    def failure(self) -> ParleyError | None:
        """Why decoding stopped early, if it did (without waiting for more audio)."""
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

    def failure(self) -> ParleyError | None:
        return None  # headerless audio fails as it is written

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


class ContainerStreamDecoder:
    """FFmpeg in a child process of its own (`parley.audio.stream_child`), fed the
    container bytes as they arrive; a thread reads its decoded frames back."""

    def __init__(self, audio: ContainerAudio, target_rate: int) -> None:
        self.audio = audio
        self.channels = audio.channels
        self._target_rate = target_rate
        self._child: subprocess.Popen[bytes] | None = None
        self._decoded: queue.Queue[FloatArray | Exception] = queue.Queue()
        self._thread = threading.Thread(target=self._read, daemon=True, name="stream-decoder")
        self._resamplers: list[soxr.ResampleStream] = []
        self._rate = 0
        self._failure: ParleyError | None = None

    def failure(self) -> ParleyError | None:
        return self._failure

    def decode(self, data: bytes, *, last: bool = False) -> list[FloatArray]:
        if self._child is None and not last and data:
            self._child = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "parley.audio.stream_child", self.audio.demuxer],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            self._thread.start()
        child = self._child
        if child is not None and child.stdin is not None and not child.stdin.closed:
            with contextlib.suppress(BrokenPipeError):  # it ended: the reader says why
                if data:
                    child.stdin.write(data)
                    child.stdin.flush()
                if last:
                    child.stdin.close()
        if last and self._thread.is_alive():
            self._thread.join(30)
        return self._collect(last)

    def close(self) -> None:
        if self._child is not None and self._child.poll() is None:
            self._child.kill()
            self._child.wait()

    def _read(self) -> None:
        child = self._child
        assert child is not None
        assert child.stdout is not None
        assert child.stderr is not None
        try:
            for kind, value in _messages(child.stdout):
                if kind == "codec" and value not in self.audio.codecs:
                    child.kill()
                    raise InvalidArgument(
                        f"encoding {self.audio.name} does not match the audio, which is {value}",
                        field="config.encoding",
                    )
                if kind == "audio":
                    self._rate, samples = value
                    self._decoded.put(samples)
            status = child.wait()
            if status < 0:
                raise InvalidAudio(f"the {self.audio.name} stream crashed its decoder")
            if status:
                reason = child.stderr.read().decode(errors="replace")[-300:]
                raise InvalidAudio(f"the {self.audio.name} stream cannot be read: {reason}")
        except InvalidArgument as error:
            self._failure = error
            self._decoded.put(error)

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


def _messages(out: IO[bytes]) -> Iterator[tuple[str, Any]]:
    """What `parley.audio.stream_child` writes, until it ends."""
    while kind := out.read(1):
        if kind == b"C":
            (length,) = struct.unpack("<I", out.read(4))
            yield "codec", out.read(length).decode()
        else:
            rate, channels, count = struct.unpack("<III", out.read(12))
            body = out.read(4 * channels * count)
            samples = np.frombuffer(body, np.float32).reshape(channels, count)
            yield "audio", (rate, samples)
