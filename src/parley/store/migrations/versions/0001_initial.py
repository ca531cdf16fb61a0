"""transcriptions and syntheses

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcriptions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source_name", sa.String(512)),
        sa.Column("audio_key", sa.String(256)),
        sa.Column("audio_format", sa.String(64)),
        sa.Column("audio_bytes", sa.Integer, nullable=False),
        sa.Column("duration", sa.Float),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("transcript", sa.JSON),
        sa.Column("inference_seconds", sa.Float),
        sa.Column("error", sa.Text),
    )
    op.create_index("ix_transcriptions_created_at", "transcriptions", ["created_at"])
    op.create_table(
        "syntheses",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("voice", sa.String(64), nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("audio_key", sa.String(256), nullable=False),
        sa.Column("audio_format", sa.String(32), nullable=False),
        sa.Column("audio_bytes", sa.Integer, nullable=False),
        sa.Column("duration", sa.Float, nullable=False),
        sa.Column("inference_seconds", sa.Float, nullable=False),
    )
    op.create_index("ix_syntheses_created_at", "syntheses", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_syntheses_created_at", "syntheses")
    op.drop_table("syntheses")
    op.drop_index("ix_transcriptions_created_at", "transcriptions")
    op.drop_table("transcriptions")
