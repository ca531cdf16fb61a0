"""API keys, the key that owns each record, live streams' finals as they are sent, and
attempts of long-running jobs

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_OWNED = ("transcriptions", "syntheses", "operations")


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("admin", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    for table in _OWNED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("tenant", sa.String(64)))
            batch.create_index(f"ix_{table}_tenant", ["tenant"])
    with op.batch_alter_table("operations") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
    op.create_table(
        "live_segments",
        sa.Column("record_id", sa.String(32), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("segment", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("live_segments")
    with op.batch_alter_table("operations") as batch:
        batch.drop_column("attempts")
    for table in _OWNED:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_tenant")
            batch.drop_column("tenant")
    op.drop_table("api_keys")
