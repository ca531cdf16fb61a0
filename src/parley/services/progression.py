"""Where a recognition stands, window by window: for progress bars, and for long jobs to
checkpoint, resume after a crash, and stop when cancelled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from parley.domain.audio import Span
from parley.domain.transcript import Segment
from parley.errors import ErrorCode, ParleyError


class Cancelled(ParleyError):
    code = ErrorCode.CANCELLED


@dataclass
class Progression:
    """`windows` (channel, span) are fixed once planned; `done` maps a window's index to
    its segments. `after_window` runs after each window and returns False to stop."""

    windows: list[tuple[int, Span]] | None = None
    done: dict[int, tuple[Segment, ...]] = field(default_factory=dict)
    after_window: Callable[[Progression], bool] | None = None

    @property
    def fraction(self) -> float:
        if not self.windows:
            return 0.0
        total = sum(w.duration for _, w in self.windows)
        finished = sum(self.windows[i][1].duration for i in self.done)
        return finished / total if total else 1.0

    def record(self, index: int, segments: tuple[Segment, ...]) -> None:
        self.done[index] = segments
        if self.after_window is not None and not self.after_window(self):
            raise Cancelled("the operation was cancelled")
