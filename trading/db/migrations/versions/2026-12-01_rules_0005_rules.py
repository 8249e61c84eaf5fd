"""rules: natural persons and controlling organisations (C-06, C-18), objections (C-05)

Revision ID: 0005_rules
Revises: 0004_bids
Create Date: 2026-12-01 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import trading.db.base

revision = "0005_rules"
down_revision = "0005_calendar"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), server_default="organisation", nullable=False)
        )
        batch_op.add_column(sa.Column("controlled_by_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_organisation_controlled_by_id"), ["controlled_by_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_organisation_controlled_by_id_organisation"),
            "organisation",
            ["controlled_by_id"],
            ["id"],
        )

    op.create_table(
        "objection",
        sa.Column("section_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("filed_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("filed_by", sa.Uuid(), nullable=False),
        sa.Column("bid_deadline", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answer_due_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", trading.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.Uuid(), nullable=True),
        sa.Column("deadline_moved_to", trading.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_objection_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], name=op.f("fk_objection_section_id_section")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection")),
    )
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_objection_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_objection_section_id"), ["section_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_objection_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objection_status"))
        batch_op.drop_index(batch_op.f("ix_objection_section_id"))
        batch_op.drop_index(batch_op.f("ix_objection_organisation_id"))
    op.drop_table("objection")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_organisation_controlled_by_id_organisation"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_organisation_controlled_by_id"))
        batch_op.drop_column("controlled_by_id")
        batch_op.drop_column("kind")
