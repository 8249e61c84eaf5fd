"""integrity: signed checkpoints of the audit log and the journal; the audit log append-only

Revision ID: 0007_integrity
Revises: 0004_bids
Create Date: 2026-12-01 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import trading.db.base

revision = "0007_integrity"
down_revision = "0006_security"
branch_labels = None
depends_on = None

# PostgreSQL refuses UPDATE and DELETE on the audit events and on the checkpoints (as it does on
# the journal since 0002). The owner of the tables can still switch the triggers off, TRUNCATE, or
# rewrite the files: docs/integrity.md says how the signed checkpoints catch that.
APPEND_ONLY = ("audit_event", "log_checkpoint", "log_node")
PG_UPGRADE = (
    """
    CREATE FUNCTION audit_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'the % log is append-only: % is refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$ LANGUAGE plpgsql
    """,
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
        for table in APPEND_ONLY
    ),
)
PG_DOWNGRADE = (
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in APPEND_ONLY),
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
)


def upgrade() -> None:
    op.create_table(
        "log_checkpoint",
        sa.Column("log_id", sa.String(length=40), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column(
            "frontier",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_checkpoint")),
        sa.UniqueConstraint("log_id", "tree_size", name="uq_log_checkpoint_size"),
    )
    op.create_table(
        "log_node",
        sa.Column("log_id", sa.String(length=40), nullable=False),
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("log_id", "level", "index", name=op.f("pk_log_node")),
    )
    op.create_table(
        "bid_package_check",
        sa.Column("bid_id", sa.Uuid(), nullable=False),
        sa.Column("section_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("expected_sha256", sa.String(length=64), nullable=False),
        sa.Column("found_sha256", sa.String(length=64), nullable=True),
        sa.Column("checked_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["bid_id"], ["bid.id"], name=op.f("fk_bid_package_check_bid_id_bid")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_bid_package_check_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["section_id"], ["section.id"], name=op.f("fk_bid_package_check_section_id_section")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bid_package_check")),
    )
    op.create_index(op.f("ix_bid_package_check_bid_id"), "bid_package_check", ["bid_id"], unique=False)
    op.create_index(
        op.f("ix_bid_package_check_section_id"), "bid_package_check", ["section_id"], unique=False
    )
    if op.get_context().dialect.name == "postgresql":
        for statement in PG_UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for statement in PG_DOWNGRADE:
            op.execute(statement)
    op.drop_index(op.f("ix_bid_package_check_section_id"), table_name="bid_package_check")
    op.drop_index(op.f("ix_bid_package_check_bid_id"), table_name="bid_package_check")
    op.drop_table("bid_package_check")
    op.drop_table("log_node")
    op.drop_table("log_checkpoint")
