"""The global options are taken after the command too: `parley transcribe --workers 2 F`
means the same as `parley --workers 2 transcribe F`."""

from __future__ import annotations

import enum

WITH_VALUE = ("--data-dir", "--workers", "--device")
FLAGS = ("--verbose", "-v")


class DeviceChoice(enum.StrEnum):
    AUTO = "auto"
    CPU = "cpu"
    CUDA = "cuda"


def hoist_global_options(argv: list[str]) -> list[str]:
    """Move the global options found after the command name to before it (up to `--`)."""
    front: list[str] = []
    rest = list(argv)
    while rest and rest[0].startswith("-"):  # global options already in front
        arg = rest.pop(0)
        front.append(arg)
        if arg in WITH_VALUE and rest:
            front.append(rest.pop(0))
    if not rest:
        return front
    command, tail = rest[0], rest[1:]
    moved: list[str] = []
    kept: list[str] = []
    while tail:
        arg = tail.pop(0)
        if arg == "--":
            kept += [arg, *tail]
            break
        if arg in FLAGS or arg.split("=", 1)[0] in WITH_VALUE:
            moved.append(arg)
            if arg in WITH_VALUE and tail:
                moved.append(tail.pop(0))
        else:
            kept.append(arg)
    return [*front, *moved, command, *kept]
