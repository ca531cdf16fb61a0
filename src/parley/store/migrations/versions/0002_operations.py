"""long-running operations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "operations",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("progress", sa.Integer, nullable=False),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("audio_key", sa.String(256), nullable=False),
        sa.Column("source_name", sa.String(512)),
        sa.Column("checkpoint", sa.JSON),
        sa.Column("result_id", sa.String(32)),
        sa.Column("error_code", sa.String(32)),
        sa.Column("error_message", sa.Text),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("owner", sa.String(64)),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_operations_created_at", "operations", ["created_at"])
    op.create_index("ix_operations_state", "operations", ["state"])


def downgrade() -> None:
    op.drop_index("ix_operations_state", "operations")
    op.drop_index("ix_operations_created_at", "operations")
    op.drop_table("operations")
