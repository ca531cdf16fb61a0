"""API keys: made here, shown once, kept as SHA-256 hashes (keys are long random
strings, so a fast hash is enough), revoked by name."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from parley.errors import InvalidArgument, NotFound
from parley.store.models import ApiKeyRow
from parley.store.records import as_utc

PREFIX = "pk_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


@dataclass(frozen=True)
class ApiKey:
    name: str
    admin: bool
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKeys:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def create(self, name: str, *, admin: bool = False) -> tuple[ApiKey, str]:
        """A new key; returns it and its secret, which is not kept."""
        if not _NAME.match(name):
            raise InvalidArgument(
                "a key name is 1-64 letters, digits and _.@- (starting with a letter or digit)",
                field="name",
            )
        secret = PREFIX + secrets.token_urlsafe(32)
        row = ApiKeyRow(
            name=name,
            key_hash=key_hash(secret),
            admin=admin,
            created_at=datetime.now(UTC),
            revoked_at=None,
        )
        with self._sessions.begin() as session:
            if session.get(ApiKeyRow, name) is not None:
                raise InvalidArgument(f"a key named {name!r} exists or existed", field="name")
            session.add(row)
        return _key(row), secret

    def list(self) -> list[ApiKey]:
        with self._sessions.begin() as session:
            rows = session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at)).all()
            return [_key(r) for r in rows]

    def revoke(self, name: str) -> ApiKey:
        with self._sessions.begin() as session:
            row = session.get(ApiKeyRow, name)
            if row is None:
                raise NotFound(f"no key is named {name!r}")
            row.revoked_at = row.revoked_at or datetime.now(UTC)
            return _key(row)

    def find(self, secret: str) -> ApiKey | None:
        """The active key with this secret, if any."""
        with self._sessions.begin() as session:
            row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == key_hash(secret)))
            return _key(row) if row is not None and row.revoked_at is None else None

    def any_active(self) -> bool:
        with self._sessions.begin() as session:
            found = session.scalar(
                select(ApiKeyRow.name).where(ApiKeyRow.revoked_at.is_(None)).limit(1)
            )
            return found is not None


def _key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        row.name,
        row.admin,
        as_utc(row.created_at),
        None if row.revoked_at is None else as_utc(row.revoked_at),
    )
