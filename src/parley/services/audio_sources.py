"""Audio named by URI: files under folders the operator allows, and HTTP(S) downloads from
hosts the operator allows, both size-capped; nothing else."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from parley.errors import InvalidArgument, NotFound
from parley.services.fetch import FetchRules, check_size, download, file_name

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FetchedAudio:
    data: bytes
    name: str


class AudioSources:
    def __init__(self, file_dirs: list[Path], url_hosts: list[str], rules: FetchRules) -> None:
        self._dirs = [d.resolve() for d in file_dirs]
        self._hosts = [h.lower() for h in url_hosts]
        self._rules = rules

    def fetch(self, uri: str) -> FetchedAudio:
        parsed = urlparse(uri)
        if parsed.scheme == "file":
            return self._file(Path(unquote(parsed.path)), uri)
        if parsed.scheme in ("http", "https"):
            return self._download(uri, parsed.hostname or "")
        if parsed.scheme == "gs":
            raise InvalidArgument(
                "gs:// URIs need Google Cloud Storage, which this server does not reach: send "
                "the audio as content, or as a file:// or http(s):// URI the operator allows",
                field="audio.uri",
            )
        raise InvalidArgument(f"unsupported audio URI {uri!r}", field="audio.uri")

    def _file(self, path: Path, uri: str) -> FetchedAudio:
        resolved = path.resolve()
        if not any(resolved.is_relative_to(d) for d in self._dirs):
            allowed = ", ".join(str(d) for d in self._dirs) or "none are configured"
            raise InvalidArgument(
                f"{uri} is outside the folders audio may be read from ({allowed})",
                field="audio.uri",
            )
        if not resolved.is_file():
            raise NotFound(f"no audio file at {uri}", field="audio.uri")
        size = resolved.stat().st_size
        check_size(size, uri, self._rules.max_bytes)
        return FetchedAudio(resolved.read_bytes(), resolved.name)

    def _download(self, uri: str, host: str) -> FetchedAudio:
        if not self._host_allowed(host.lower()):
            raise InvalidArgument(
                f"host {host!r} is not one audio may be fetched from", field="audio.uri"
            )
        data, _ = download(uri, self._rules)
        return FetchedAudio(data, file_name(uri))

    def _host_allowed(self, host: str) -> bool:
        return any(
            host == allowed or (allowed.startswith("*.") and host.endswith(allowed[1:]))
            for allowed in self._hosts
        )
