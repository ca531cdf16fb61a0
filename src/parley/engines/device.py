"""Which device and numeric precision the engines run with."""

from __future__ import annotations

import functools
from typing import Literal

from parley.errors import Misconfigured

Device = Literal["auto", "cpu", "cuda"]


@functools.cache
def cuda_available() -> bool:
    import ctranslate2

    try:
        return int(ctranslate2.get_cuda_device_count()) > 0
    except RuntimeError:
        return False


def resolve_device(device: Device) -> Literal["cpu", "cuda"]:
    if device == "auto":
        return "cuda" if cuda_available() else "cpu"
    return device


def check_device(device: Device) -> None:
    """Refuse at once a GPU that is asked for and cannot be used."""
    if device == "cuda" and not cuda_available():
        raise Misconfigured(
            "device cuda: no usable CUDA GPU here (no device, or a driver older than the CUDA "
            "runtime); use device auto or cpu"
        )


def resolve_compute_type(compute_type: str, device: Literal["cpu", "cuda"]) -> str:
    """int8 on CPU (several times faster than float32 there), float16 on a GPU."""
    if compute_type != "auto":
        return compute_type
    return "float16" if device == "cuda" else "int8"
