"""API keys checked once per request, for every protocol alike.

Valid keys are remembered for a few seconds (a revocation takes effect within that time
on every server sharing the database); unknown keys are looked up each time, so no
guessing can fill the memory."""

from __future__ import annotations

import threading
import time

import anyio

from parley.domain.access import LOCAL, Caller
from parley.errors import Unauthenticated
from parley.store.keys import PREFIX, ApiKeys, key_hash

CACHE_SECONDS = 5.0
HOW_TO_SEND = (
    "send it as the x-goog-api-key header (gRPC metadata), as Authorization: Bearer KEY, "
    "or as ?key=KEY"
)


class AccessService:
    def __init__(self, keys: ApiKeys, *, required: bool) -> None:
        self._keys = keys
        self.required = required
        self._known: dict[str, tuple[Caller, float]] = {}
        self._lock = threading.Lock()

    async def authenticate(self, secret: str | None) -> Caller:
        """The caller a request's key stands for; raises `Unauthenticated`. Where keys
        are not required, something that is not a Parley key (`pk_...`) counts as none:
        OpenAI's clients always send one (`api_key="unused"`). A wrong Parley key is
        refused anywhere, so no one works unknowingly outside their own records."""
        if not secret or (not self.required and not secret.startswith(PREFIX)):
            if self.required:
                raise Unauthenticated(f"this server needs an API key: {HOW_TO_SEND}")
            return LOCAL
        digest = key_hash(secret)
        with self._lock:
            known = self._known.get(digest)
        if known is not None and known[1] > time.monotonic():
            return known[0]
        key = await anyio.to_thread.run_sync(self._keys.find, secret)
        if key is None:
            raise Unauthenticated("the API key is not valid (unknown or revoked)")
        caller = Caller(key.name, key.admin)
        with self._lock:
            self._known[digest] = (caller, time.monotonic() + CACHE_SECONDS)
        return caller


def bearer_or_plain(value: str | None) -> str | None:
    """The key in an `Authorization` header: `Bearer KEY`."""
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None
