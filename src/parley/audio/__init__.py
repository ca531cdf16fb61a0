"""Decoding, encoding, resampling and voice activity detection."""

from parley.audio.decode import decode_audio
from parley.audio.encode import encode_audio
from parley.audio.resample import resample

__all__ = ["decode_audio", "encode_audio", "resample"]
