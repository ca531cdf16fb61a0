"""Every output format, at the rates callers ask for, decodes back to the same speech."""

from __future__ import annotations

import numpy as np
import pytest

from parley.audio.decode import decode_audio
from parley.audio.encode import encode_audio
from parley.domain.audio import AudioEncoding, RawAudioFormat
from parley.domain.speech import AudioFormat
from parley.errors import InvalidArgument
from tests.unit.test_decode import tone

RAW = {
    AudioFormat.PCM: AudioEncoding.LINEAR16,
    AudioFormat.MULAW: AudioEncoding.MULAW,
    AudioFormat.ALAW: AudioEncoding.ALAW,
}


@pytest.mark.parametrize("fmt", list(AudioFormat))
@pytest.mark.parametrize("out_rate", [None, 8000, 24000, 44100])
def test_round_trip(fmt: AudioFormat, out_rate: int | None) -> None:
    source = tone(1.0, 22050, freq=300)
    data = encode_audio(source, 22050, fmt, out_rate)
    rate = out_rate or 22050
    if fmt in RAW:
        audio = decode_audio(data, raw=RawAudioFormat(RAW[fmt], rate, 1))
    else:
        audio = decode_audio(data)
    expected_rate = 48000 if fmt is AudioFormat.OGG_OPUS else rate  # Opus decodes at 48 kHz
    if fmt is AudioFormat.MP3 and rate == 24000:
        expected_rate = 24000
    assert audio.sample_rate == expected_rate
    # AAC comes in frames of 1,024 samples, with one more ahead as the encoder's delay.
    slack = 2 * 1024 / rate if fmt in (AudioFormat.M4A, AudioFormat.AAC) else 0.0
    assert abs(audio.duration - 1.0) < 0.1 + slack
    level = float(np.sqrt(np.mean(audio.mono() ** 2)))
    assert 0.25 < level < 0.5  # a 0.5-amplitude sine has an RMS of 0.35


def test_wav_is_sixteen_bit_pcm() -> None:
    data = encode_audio(tone(0.5), 16000, AudioFormat.WAV)
    audio = decode_audio(data)
    assert audio.codec == "pcm_s16le"
    assert audio.frames == 8000


@pytest.mark.parametrize("rate", [4000, 96000])
def test_output_rate_out_of_range(rate: int) -> None:
    with pytest.raises(InvalidArgument, match="output sample rate"):
        encode_audio(tone(0.1), 16000, AudioFormat.WAV, rate)


def test_odd_rates_go_up_to_one_the_codec_accepts() -> None:
    audio = decode_audio(encode_audio(tone(0.5), 16000, AudioFormat.MP3, 20000))
    assert audio.sample_rate == 22050
