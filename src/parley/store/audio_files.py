"""Audio files under the data directory, addressed by a relative key."""

from __future__ import annotations

import logging
import os
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

from parley.errors import NotFound

logger = logging.getLogger(__name__)


class AudioFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, record_id: str, created: datetime, data: bytes, suffix: str) -> str:
        """Write atomically (temp file + rename) and return the key."""
        key = f"{created:%Y/%m/%d}/{record_id}{suffix}"
        self.write(key, data)
        return key

    def write(self, key: str, data: bytes) -> None:
        """Write a file under a key of the caller's choosing, atomically."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
            tmp.write(data)
        os.replace(tmp.name, path)

    def spool(self, suffix: str) -> Path:
        """A fresh path for a file written bit by bit (a live stream's audio), to be
        `adopt`ed when complete or deleted."""
        folder = self.root / "spool"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{uuid.uuid4().hex}{suffix}"

    def key_of(self, path: Path) -> str:
        return path.resolve().relative_to(self.root.resolve()).as_posix()

    def spooled(self, key: str) -> Path:
        return self._path(key)

    def adopt(self, record_id: str, created: datetime, source: Path) -> str:
        """Move a spooled file into the store; returns its key."""
        key = f"{created:%Y/%m/%d}/{record_id}{source.suffix}"
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, path)
        return key

    def read(self, key: str) -> bytes:
        path = self._path(key)
        if not path.is_file():
            raise NotFound(f"audio {key!r} is not in the store")
        return path.read_bytes()

    def size(self, key: str) -> int:
        path = self._path(key)
        if not path.is_file():
            raise NotFound(f"audio {key!r} is not in the store")
        return path.stat().st_size

    def read_range(self, key: str, offset: int, size: int) -> bytes:
        path = self._path(key)
        if not path.is_file():
            raise NotFound(f"audio {key!r} is not in the store")
        with path.open("rb") as file:
            file.seek(offset)
            return file.read(size)

    def discard(self, key: str) -> None:
        """Delete a file that may already be gone."""
        self._path(key).unlink(missing_ok=True)

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            logger.warning("audio %s was already gone", key)

    def sweep(self, keep: set[str], older_than: float) -> list[str]:
        """Delete the files no record refers to (left by a crash between writing a file
        and its row, or a stream's spool whose server died), once untouched for
        `older_than` seconds. Returns the keys deleted."""
        deleted: list[str] = []
        if not self.root.is_dir():
            return deleted
        cutoff = time.time() - older_than
        for path in self.root.rglob("*"):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and key not in keep and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                deleted.append(key)
        return deleted

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise NotFound(f"audio {key!r} is not in the store")
        return path
