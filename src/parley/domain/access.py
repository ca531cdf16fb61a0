"""Who is calling: the API key a request came with, and what it may see."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """`key`: the name of the caller's API key; None when the server takes requests
    without keys (a trusted local user, who sees everything). `keep_audio`: False when
    the request asked that its audio not be stored (its record keeps the text only).
    `protocol`: the door it came through, kept with what it makes ("google-grpc", "openai",
    "wyoming", "cli", ...)."""

    key: str | None
    admin: bool = False
    keep_audio: bool = True
    protocol: str = ""

    @property
    def tenant(self) -> str | None:
        """The owner recorded on what this caller creates."""
        return self.key

    @property
    def scope(self) -> str | None:
        """Whose records this caller sees: None for all of them."""
        return None if self.admin or self.key is None else self.key


LOCAL = Caller(None)
CLI = Caller(None, protocol="cli")
WYOMING = Caller(None, protocol="wyoming")  # Wyoming has no keys

KEEP_AUDIO_HEADER = "x-parley-keep-audio"


def keeps_audio(value: str | None) -> bool:
    """The header's value: "false", "0" or "no" opt out of storing the audio."""
    return (value or "").strip().lower() not in ("false", "0", "no")
