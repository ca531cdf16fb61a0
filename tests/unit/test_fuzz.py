"""Property-based fuzzing of what parses untrusted input: the audio decoder (arbitrary
bytes, and real files with bytes changed, cut or added) and the Google config parser
(arbitrary protobuf bytes and JSON). Each either succeeds or raises one of Parley's own
errors; nothing else, and never a crash. Budget: FUZZ_EXAMPLES examples per property."""

from __future__ import annotations

import contextlib
import io
import json
import os
from typing import Any

import numpy as np
import soundfile as sf
from google.cloud.speech_v1 import RecognitionConfig, RecognizeRequest
from google.protobuf.message import DecodeError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parley.api.google.recognition import parse_config
from parley.api.http.google_speech import parse_json
from parley.audio.decode import DecodeLimits, decode_audio
from parley.domain.audio import AudioEncoding, RawAudioFormat
from parley.errors import ParleyError
from tests.conftest import clip

FUZZ_EXAMPLES = int(os.environ.get("PARLEY_FUZZ_EXAMPLES", "300"))
BUDGET = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LIMITS = DecodeLimits(max_seconds=60, max_rate=48000)


def _seeds() -> list[bytes]:
    speech = clip("ps_goforward").samples()[:8000]
    seeds = [clip("ps_goforward").path.read_bytes()[:20000]]
    for fmt, subtype in (("FLAC", "PCM_16"), ("OGG", "OPUS"), ("WAV", "FLOAT")):
        buffer = io.BytesIO()
        stereo = np.stack([speech, speech[::-1]], axis=1)
        sf.write(buffer, stereo, 16000, format=fmt, subtype=subtype)
        seeds.append(buffer.getvalue())
    return seeds


SEEDS = _seeds()


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        where = draw(st.integers(0, len(data) - 1))
        what = draw(st.sampled_from(["flip", "cut", "insert", "zero"]))
        if what == "flip":
            data[where] ^= draw(st.integers(1, 255))
        elif what == "cut":
            del data[where : where + draw(st.integers(1, 4096))]
        elif what == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=64))
        else:
            data[where : where + 4] = bytes(4)
        if not data:
            break
    return bytes(data)


def _decode_or_refuse(data: bytes, **kwargs: Any) -> None:
    try:
        audio = decode_audio(data, limits=LIMITS, **kwargs)
    except ParleyError:
        return
    assert audio.samples.ndim == 2
    assert np.isfinite(audio.samples).all() or audio.codec.startswith("pcm_f")


@BUDGET
@given(damaged())
def test_damaged_real_files_decode_or_are_refused(data: bytes) -> None:
    _decode_or_refuse(data)


@BUDGET
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_decode_or_are_refused(data: bytes) -> None:
    _decode_or_refuse(data)


@BUDGET
@given(
    st.binary(max_size=4096),
    st.sampled_from(list(AudioEncoding)),
    st.integers(1, 200_000),
    st.integers(0, 12),
)
def test_headerless_audio_in_any_declared_format(
    data: bytes, encoding: AudioEncoding, rate: int, channels: int
) -> None:
    _decode_or_refuse(data, raw=RawAudioFormat(encoding, rate, channels))


@BUDGET
@given(st.binary(max_size=2048), st.binary(max_size=8))
def test_configs_from_arbitrary_protobuf_bytes(data: bytes, head: bytes) -> None:
    try:
        config = RecognitionConfig.pb().FromString(data)
    except DecodeError:
        return
    with contextlib.suppress(ParleyError):
        parse_config(config, head)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
_FIELDS = list(RecognitionConfig.pb().DESCRIPTOR.fields_by_camelcase_name)


@BUDGET
@given(st.dictionaries(st.sampled_from(_FIELDS), _JSON, max_size=6))
def test_configs_from_arbitrary_json(fields: dict[str, Any]) -> None:
    """As the REST route reads a body: JSON text -> RecognizeRequest -> options."""
    body = json.dumps({"config": fields, "audio": {"content": ""}}).encode()
    request = RecognizeRequest.pb()()
    with contextlib.suppress(ParleyError):
        parse_json(body, request)
        parse_config(request.config, b"RIFF")
