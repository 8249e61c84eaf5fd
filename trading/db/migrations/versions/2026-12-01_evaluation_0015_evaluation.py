"""evaluation: top-up draws of reserves, the expert pool's revision token

Revision ID: 0015_evaluation
Revises: 0011_documents
Create Date: 2026-12-01 12:00:00
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import trading.db.base

revision = "0015_evaluation"
down_revision = "0011_documents"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "expert_draw_top_up",
        sa.Column("draw_id", sa.Uuid(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("drawn_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("drawn_by", sa.Uuid(), nullable=True),
        sa.Column("specialty", sa.String(length=10), nullable=False),
        sa.Column("reserves", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("snapshot", JSON, nullable=False),
        sa.Column("pool_digest", sa.String(length=64), nullable=False),
        sa.Column("excluded", JSON, nullable=False),
        sa.Column("result", JSON, nullable=False),
        sa.Column("result_digest", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draw_id"], ["expert_draw.id"], name=op.f("fk_expert_draw_top_up_draw_id_expert_draw")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_draw_top_up")),
        sa.UniqueConstraint("draw_id", "round", name="uq_expert_draw_top_up_round"),
    )
    with op.batch_alter_table("expert_draw_top_up", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_draw_top_up_draw_id"), ["draw_id"], unique=False)
    revision_table = op.create_table(
        "expert_pool_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_pool_revision")),
    )
    # A random token: no two databases start with the same one (experts/draws/cache.py).
    op.bulk_insert(revision_table, [{"id": 1, "token": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table("expert_pool_revision")
    with op.batch_alter_table("expert_draw_top_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_draw_top_up_draw_id"))
    op.drop_table("expert_draw_top_up")
