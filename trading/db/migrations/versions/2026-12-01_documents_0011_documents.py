"""documents: issued official documents and their yearly numbers

Revision ID: 0011_documents
Revises: 0004_bids
Create Date: 2026-12-01 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import trading.db.base

revision = "0011_documents"
down_revision = "0013_opendata"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_counter",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_document_counter")),
    )
    op.create_table(
        "issued_document",
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("verification_code", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("sector", sa.String(length=20), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("issued_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.Uuid(), nullable=False),
        sa.Column("issuer_name", sa.String(length=100), nullable=False),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("correction_reason", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["issued_document.id"],
            name=op.f("fk_issued_document_supersedes_id_issued_document"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_document")),
        sa.UniqueConstraint("number", name=op.f("uq_issued_document_number")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_issued_document_supersedes_id")),
        sa.UniqueConstraint("verification_code", name=op.f("uq_issued_document_verification_code")),
    )
    for column in ("kind", "subject", "organisation_id", "sha256"):
        op.create_index(op.f(f"ix_issued_document_{column}"), "issued_document", [column], unique=False)
    op.create_index(
        "uq_issued_document_original",
        "issued_document",
        ["kind", "subject", "language"],
        unique=True,
        sqlite_where=sa.text("supersedes_id IS NULL"),
        postgresql_where=sa.text("supersedes_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("issued_document")
    op.drop_table("document_counter")
