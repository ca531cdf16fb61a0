"""Mono float32 PCM -> bytes in a requested format and sample rate."""

from __future__ import annotations

import io

import av
import numpy as np
import numpy.typing as npt
import soundfile as sf

from parley.audio.resample import resample
from parley.domain.audio import FloatArray
from parley.domain.speech import AudioFormat
from parley.errors import InvalidArgument

# (muxer, codec, sample rates the codec accepts) for formats written through FFmpeg.
_FFMPEG_FORMATS: dict[AudioFormat, tuple[str, str, tuple[int, ...]]] = {
    AudioFormat.MP3: (
        "mp3",
        "libmp3lame",
        (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000),
    ),
    AudioFormat.OGG_OPUS: ("ogg", "libopus", (8000, 12000, 16000, 24000, 48000)),
    AudioFormat.MULAW: ("mulaw", "pcm_mulaw", ()),
    AudioFormat.ALAW: ("alaw", "pcm_alaw", ()),
    AudioFormat.M4A: (
        "ipod",
        "aac",
        (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000),
    ),
    AudioFormat.AAC: (
        "adts",
        "aac",
        (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000),
    ),
}
# WAV files by soundfile: the format's subtype.
_WAV_SUBTYPES = {
    AudioFormat.WAV: ("WAV", "PCM_16"),
    AudioFormat.FLAC: ("FLAC", "PCM_16"),
    AudioFormat.WAV_MULAW: ("WAV", "ULAW"),
    AudioFormat.WAV_ALAW: ("WAV", "ALAW"),
}
MIN_OUTPUT_RATE = 8000
MAX_OUTPUT_RATE = 48000

MEDIA_TYPES = {
    AudioFormat.WAV: "audio/wav",
    AudioFormat.PCM: "audio/L16",
    AudioFormat.MP3: "audio/mpeg",
    AudioFormat.OGG_OPUS: "audio/ogg",
    AudioFormat.MULAW: "audio/basic",
    AudioFormat.ALAW: "audio/x-alaw-basic",
    AudioFormat.FLAC: "audio/flac",
    AudioFormat.M4A: "audio/mp4",
    AudioFormat.AAC: "audio/aac",
    AudioFormat.WAV_MULAW: "audio/wav",
    AudioFormat.WAV_ALAW: "audio/wav",
}
FILE_SUFFIXES = {
    AudioFormat.WAV: ".wav",
    AudioFormat.PCM: ".pcm",
    AudioFormat.MP3: ".mp3",
    AudioFormat.OGG_OPUS: ".ogg",
    AudioFormat.MULAW: ".ulaw",
    AudioFormat.ALAW: ".alaw",
    AudioFormat.FLAC: ".flac",
    AudioFormat.M4A: ".m4a",
    AudioFormat.AAC: ".aac",
    AudioFormat.WAV_MULAW: ".wav",
    AudioFormat.WAV_ALAW: ".wav",
}


def encode_audio(
    samples: FloatArray, sample_rate: int, fmt: AudioFormat, out_rate: int | None = None
) -> bytes:
    """Encode one channel. `out_rate` resamples first; codecs with a fixed set of rates get
    the nearest rate they accept at or above it."""
    if not len(samples):
        raise InvalidArgument("there is no audio to encode")
    rate = out_rate or sample_rate
    if not MIN_OUTPUT_RATE <= rate <= MAX_OUTPUT_RATE:
        raise InvalidArgument(
            f"output sample rate {rate} Hz is outside {MIN_OUTPUT_RATE}-{MAX_OUTPUT_RATE} Hz",
            field="sample_rate",
        )
    if fmt in _FFMPEG_FORMATS:
        rate = _supported_rate(rate, _FFMPEG_FORMATS[fmt][2])
    pcm = np.clip(resample(samples, sample_rate, rate), -1.0, 1.0)
    if fmt is AudioFormat.PCM:
        return _to_int16(pcm).tobytes()
    if fmt in _WAV_SUBTYPES:
        container, subtype = _WAV_SUBTYPES[fmt]
        buffer = io.BytesIO()
        sf.write(buffer, pcm, rate, format=container, subtype=subtype)
        return buffer.getvalue()
    muxer, codec, _ = _FFMPEG_FORMATS[fmt]
    return encode_with_ffmpeg(pcm, rate, muxer, codec)


def _supported_rate(rate: int, accepted: tuple[int, ...]) -> int:
    if not accepted or rate in accepted:
        return rate
    return min((r for r in accepted if r >= rate), default=accepted[-1])


def _to_int16(pcm: FloatArray) -> npt.NDArray[np.int16]:
    return (pcm * 32767.0).round().astype("<i2")


def encode_with_ffmpeg(pcm: FloatArray, rate: int, muxer: str, codec: str) -> bytes:
    """Mono PCM into any container and codec FFmpeg writes (`muxer`, `codec` by FFmpeg name)."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=muxer) as container:
        stream = container.add_stream(codec, rate=rate, layout="mono")
        assert isinstance(stream, av.AudioStream)
        frame = av.AudioFrame.from_ndarray(_to_int16(pcm)[None, :], format="s16", layout="mono")
        frame.sample_rate = rate
        fmt_name = stream.codec_context.format.name if stream.codec_context.format else "s16"
        resampler = av.AudioResampler(
            format=fmt_name,
            layout="mono",
            rate=rate,
            frame_size=stream.codec_context.frame_size or None,
        )
        for chunk in [*resampler.resample(frame), *resampler.resample(None)]:
            container.mux(stream.encode(chunk))
        container.mux(stream.encode(None))
    return buffer.getvalue()
