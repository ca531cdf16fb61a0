"""Log handlers: configured by entry points only."""

from __future__ import annotations

import logging
import sys


def configure(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not verbose:
        # faster-whisper logs every VAD pass and language guess at INFO.
        logging.getLogger("faster_whisper").setLevel(logging.WARNING)
