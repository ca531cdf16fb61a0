"""Bytes or files in any common container/codec -> `Audio`, through PyAV (FFmpeg)."""

from __future__ import annotations

import io
import logging
import wave
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import soxr

from parley.audio.frames import frame_samples, packed_resampler
from parley.domain.audio import Audio, AudioEncoding, FloatArray, RawAudioFormat
from parley.errors import EmptyAudio, InvalidArgument, InvalidAudio, TooLarge, UnsupportedEncoding

logger = logging.getLogger(__name__)

_RAW_DEMUXERS = {
    AudioEncoding.LINEAR16: ("s16le", 2),
    AudioEncoding.MULAW: ("mulaw", 1),
    AudioEncoding.ALAW: ("alaw", 1),
}
_LAYOUTS = {1: "mono", 2: "stereo"}
MIN_SAMPLE_RATE = 8000
MAX_SAMPLE_RATE = 192000
MAX_CHANNELS = 8
# A header may round its duration; less than this shortfall is not called truncation.
_TRUNCATION_TOLERANCE_S = 0.25


@dataclass(frozen=True)
class DecodeLimits:
    """What the caller accepts. Rate and channels are checked from the header before any
    decoding, the duration while decoding: a small file that expands to hours is refused
    as soon as the limit is passed, with memory bounded by the limit."""

    max_seconds: float | None = None
    # Probe: decode only this much of the start (the header is checked in full); for a
    # request whose audio is decoded later anyway.
    probe_seconds: float | None = None
    # What to hand back, converted chunk by chunk while decoding so that memory follows
    # the result, not the input: channels mixed to one, and the rate changed.
    mono: bool = False
    rate: int | None = None
    min_rate: int = MIN_SAMPLE_RATE
    max_rate: int = MAX_SAMPLE_RATE
    max_channels: int = MAX_CHANNELS


NO_LIMITS = DecodeLimits()


def decode_audio(
    source: bytes | Path,
    *,
    raw: RawAudioFormat | None = None,
    expect_rate: int | None = None,
    expect_channels: int | None = None,
    limits: DecodeLimits = NO_LIMITS,
) -> Audio:
    """Decode `source`. With `raw`, the bytes are headerless samples in that format;
    otherwise the container is detected, and `expect_*` (what a caller declared) must
    agree with its header."""
    data = source.read_bytes() if isinstance(source, Path) else source
    if not data:
        raise EmptyAudio("the audio is empty (0 bytes)", field="audio")
    declared = (expect_rate, expect_channels)
    if raw is None:
        audio = _demux(data, None, {}, limits, declared)
    else:
        audio = _decode_raw(data, raw, limits)
    if audio.frames == 0:
        raise EmptyAudio("the audio holds no samples", field="audio")
    return audio


def _decode_raw(data: bytes, fmt: RawAudioFormat, limits: DecodeLimits) -> Audio:
    _check_format(fmt.sample_rate, fmt.channels, limits)
    demuxer, width = _RAW_DEMUXERS[fmt.encoding]
    if len(data) % (width * fmt.channels):
        raise InvalidAudio(
            f"{fmt.encoding.upper()} audio of {len(data)} bytes is not a whole number of "
            f"{fmt.channels}-channel frames (truncated?)",
            field="audio",
        )
    layout = _LAYOUTS.get(fmt.channels, f"{fmt.channels}c")
    options = {"sample_rate": str(fmt.sample_rate), "ch_layout": layout}
    _check_duration(len(data) / (width * fmt.channels * fmt.sample_rate), limits)
    return _demux(data, demuxer, options, limits, (None, None))


def _check_format(rate: int, channels: int, limits: DecodeLimits) -> None:
    if not limits.min_rate <= rate <= limits.max_rate:
        raise InvalidArgument(
            f"sample rate {rate} Hz is outside {limits.min_rate}-{limits.max_rate} Hz",
            field="sample_rate",
        )
    if not 1 <= channels <= limits.max_channels:
        raise InvalidArgument(
            f"{channels} channels: at most {limits.max_channels} are supported", field="channels"
        )


def _check_duration(seconds: float, limits: DecodeLimits) -> None:
    if limits.max_seconds is not None and seconds > limits.max_seconds:
        raise TooLarge(
            f"the audio lasts over {limits.max_seconds:.0f} s; at most "
            f"{limits.max_seconds:.0f} s are allowed",
            field="audio",
            limit=limits.max_seconds,
            actual=seconds,
        )


def _demux(
    data: bytes,
    fmt: str | None,
    options: dict[str, str],
    limits: DecodeLimits,
    declared: tuple[int | None, int | None],
) -> Audio:
    try:
        with av.open(io.BytesIO(data), mode="r", format=fmt, options=options) as container:
            if not container.streams.audio:
                raise InvalidAudio("the file holds no audio stream", field="audio")
            stream = container.streams.audio[0]
            if stream.codec_context is None:
                raise UnsupportedEncoding(
                    f"the {_name(container, fmt)} file holds audio in a codec Parley cannot decode",
                    field="audio",
                )
            rate = stream.codec_context.sample_rate
            if not rate:
                raise InvalidAudio("the audio stream declares no sample rate", field="audio")
            name = _name(container, fmt)
            _check_format(rate, stream.codec_context.channels, limits)
            _check_declared(rate, stream.codec_context.channels, name, *declared)
            if container.duration is not None and fmt is None:
                _check_duration(container.duration / av.time_base, limits)
            chunks = _decode_frames(container, stream, limits)
            samples = np.concatenate(chunks, axis=1) if chunks else _no_samples(stream, limits)
            out_rate = limits.rate or rate
            audio = Audio(samples, out_rate, codec=stream.codec_context.name, container=name)
            probing = limits.probe_seconds is not None
            announced = None if fmt or probing else _announced_frames(data, container, rate)
    except InvalidArgument:
        raise
    except (av.error.FFmpegError, EOFError, ValueError) as exc:
        raise InvalidAudio(
            f"the data is not readable audio ({_reason(exc)})", field="audio"
        ) from exc
    if announced is not None and audio.duration < announced / rate - _TRUNCATION_TOLERANCE_S:
        raise InvalidAudio(
            f"the {name} audio is truncated or corrupt: its header announces "
            f"{announced / rate:.2f} s but only {audio.duration:.2f} s could be decoded",
            field="audio",
        )
    return audio


def _name(container: av.container.InputContainer, fmt: str | None) -> str:
    return "raw" if fmt else container.format.name.split(",")[0]


def _decode_frames(
    container: av.container.InputContainer, stream: av.AudioStream, limits: DecodeLimits
) -> list[FloatArray]:
    """All frames as float32, shape (channels, n) each, up to the duration limit, each
    converted as `limits` asks."""
    resampler = packed_resampler(stream.codec_context.layout)
    rate = stream.codec_context.sample_rate
    convert = _Converter(rate, stream.codec_context.channels, limits)
    most = None if limits.max_seconds is None else int(limits.max_seconds * rate)
    enough = None if limits.probe_seconds is None else int(limits.probe_seconds * rate)
    chunks: list[FloatArray] = []
    frames = 0
    for frame in container.decode(stream):
        frame.pts = None
        for out in resampler.resample(frame):
            chunks.append(convert(frame_samples(out)))
            frames += out.samples
        if most is not None and frames > most:
            _check_duration(frames / rate, limits)
        if enough is not None and frames >= enough:
            break
    chunks += [convert(frame_samples(out)) for out in resampler.resample(None)]
    chunks.append(convert(None))
    return [c for c in chunks if c.shape[1]]


class _Converter:
    """Chunk by chunk: mix to mono, then change the rate (soxr, as elsewhere)."""

    def __init__(self, rate: int, channels: int, limits: DecodeLimits) -> None:
        self._mono = limits.mono and channels > 1
        width = 1 if limits.mono else channels
        self._soxr = (
            soxr.ResampleStream(rate, limits.rate, width, dtype="float32", quality="HQ")
            if limits.rate and limits.rate != rate
            else None
        )
        self._width = width

    def __call__(self, chunk: FloatArray | None) -> FloatArray:
        """`None`: the end (what the resampler still holds)."""
        if chunk is None:
            if self._soxr is None:
                return np.zeros((self._width, 0), np.float32)
            rest = self._soxr.resample_chunk(np.zeros((0, self._width), np.float32), last=True)
            return np.ascontiguousarray(np.asarray(rest, np.float32).reshape(-1, self._width).T)
        if self._mono:
            chunk = chunk.mean(axis=0, keepdims=True, dtype=np.float32)
        if self._soxr is None:
            return chunk
        out = self._soxr.resample_chunk(np.ascontiguousarray(chunk.T))
        return np.ascontiguousarray(np.asarray(out, np.float32).reshape(-1, self._width).T)


def _no_samples(stream: av.AudioStream, limits: DecodeLimits) -> FloatArray:
    channels = 1 if limits.mono else max(stream.codec_context.channels, 1)
    return np.zeros((channels, 0), dtype=np.float32)


def _announced_frames(data: bytes, container: av.container.InputContainer, rate: int) -> int | None:
    """Frames the header promises, where it promises any."""
    name = container.format.name
    if name == "wav":
        # FFmpeg sizes WAV audio by the bytes present; the RIFF header says what was written.
        return _wav_header_frames(data)
    if name == "ogg" or container.duration is None:
        # Ogg's duration comes from the last page actually present: it cannot reveal loss.
        return None
    return int(container.duration * rate / av.time_base)


def _wav_header_frames(data: bytes) -> int | None:
    try:
        with wave.open(io.BytesIO(data)) as reader:
            frames = reader.getnframes()
    except (wave.Error, EOFError):
        return None
    # Streaming writers leave the size unset (0 or 0xFFFFFFFF): nothing to check then.
    return frames if 0 < frames < 0xFFFFFFFF // 8 else None


def _check_declared(
    rate: int, channels: int, container: str, expect_rate: int | None, expect_channels: int | None
) -> None:
    """What a caller declared against what the header says (before any decoding)."""
    if expect_rate is not None and expect_rate != rate:
        raise InvalidArgument(
            f"sample rate {expect_rate} Hz does not match the {rate} Hz in the {container} header",
            field="sample_rate",
        )
    if expect_channels is not None and expect_channels != channels:
        raise InvalidArgument(
            f"channel count {expect_channels} does not match the {channels} channel(s) "
            f"in the {container} header",
            field="channels",
        )


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text).rstrip(".").lower()
