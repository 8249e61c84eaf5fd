"""collusion: where each bid and qualification document came from (address and device); when a
complaint's suspension was lifted

Revision ID: 0017_collusion
Revises: 0015_evaluation
Create Date: 2026-12-01 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import trading.db.base

revision = "0017_collusion"
down_revision = "0015_evaluation"
branch_labels = None
depends_on = None

TABLES = ("bid", "qualification_document")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("client_address", sa.String(length=45), nullable=True))
            batch_op.add_column(sa.Column("device_id", sa.String(length=64), nullable=True))
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("suspension_lifted_at", trading.db.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_column("suspension_lifted_at")
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("device_id")
            batch_op.drop_column("client_address")
