"""audit_journal: audit events recorded but not yet sequenced (issue 23)

The request path inserts an event here without any global lock; the sequencer moves rows into
audit_event in batches (their seq, prev_hash and hash) and deletes them here in the same
transaction (docs/integrity.md §7).

Revision ID: 0020_audit_journal
Revises: 0019_registration_conditions
Create Date: 2026-12-01 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import trading.db.base

revision = "0020_audit_journal"
down_revision = "0019_registration_conditions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_journal",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("data_digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_audit_journal")),
        sa.UniqueConstraint("id", name=op.f("uq_audit_journal_id")),
    )


def downgrade() -> None:
    op.drop_table("audit_journal")
