"""Syntheses may be kept without their audio (a caller that asks for text only)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("audio_key", sa.String(256)),
    ("audio_format", sa.String(32)),
    ("audio_bytes", sa.Integer()),
)


def upgrade() -> None:
    # SQLite cannot alter a column: batch mode copies the table.
    with op.batch_alter_table("syntheses") as table:
        for name, kind in _COLUMNS:
            table.alter_column(name, existing_type=kind, nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("syntheses") as table:
        for name, kind in _COLUMNS:
            table.alter_column(name, existing_type=kind, nullable=False)
