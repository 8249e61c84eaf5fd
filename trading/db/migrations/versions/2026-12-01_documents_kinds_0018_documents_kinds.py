"""documents_kinds: the organisation a document is copied to (an award notice's principal)

Revision ID: 0018_documents_kinds
Revises: 0017_collusion
Create Date: 2026-12-01 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_documents_kinds"
down_revision = "0017_collusion"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issued_document") as batch:
        batch.add_column(sa.Column("copy_to_id", sa.Uuid(), nullable=True))
        batch.create_index(batch.f("ix_issued_document_copy_to_id"), ["copy_to_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("issued_document") as batch:
        batch.drop_index(batch.f("ix_issued_document_copy_to_id"))
        batch.drop_column("copy_to_id")
