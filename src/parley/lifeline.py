"""Child processes end with their parent: a worker whose server was killed (SIGKILL, out
of memory) must not live on holding hundreds of megabytes."""

from __future__ import annotations

import os
import threading
import time

_POLL_SECONDS = 1.0


def exit_with_parent() -> None:
    """Start a daemon thread that ends this process as soon as its parent is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_POLL_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parley-lifeline").start()
