"""Who is calling: the API key a request came with, and what it may see."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """`key`: the name of the caller's API key; None when the server takes requests
    without keys (a trusted local user, who sees everything)."""

    key: str | None
    admin: bool = False

    @property
    def tenant(self) -> str | None:
        """The owner recorded on what this caller creates."""
        return self.key

    @property
    def scope(self) -> str | None:
        """Whose records this caller sees: None for all of them."""
        return None if self.admin or self.key is None else self.key


LOCAL = Caller(None)
