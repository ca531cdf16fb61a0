"""A process and its children, as /proc shows them (Linux): for memory over time."""

from __future__ import annotations

from pathlib import Path


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (a child started by any of a process's threads)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        try:
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except OSError:
            continue
        found.append(current)
        for task in tasks:
            try:
                pending += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def status_mb(pid: int, field: str) -> float:
    """A memory field of /proc/PID/status (VmRSS, VmHWM...) in MB; 0 if gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0
    return next(
        (int(line.split()[1]) / 1024 for line in lines if line.startswith(field + ":")), 0.0
    )


def tree_rss_mb(pid: int) -> float:
    return sum(status_mb(p, "VmRSS") for p in process_tree(pid))


def tree_peak_mb(pid: int) -> float:
    """The largest peak resident size among the process and its children."""
    return max((status_mb(p, "VmHWM") for p in process_tree(pid)), default=0.0)
