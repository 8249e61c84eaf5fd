"""sales_quote: a property listing may take one sealed quote per transferee instead of an auction

Revision ID: 0016_sales_quote
Revises: 0011_documents
Create Date: 2026-12-01 11:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_sales_quote"
down_revision = "0011_documents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every listing before this one was an auction.
    with op.batch_alter_table("listing") as batch:
        batch.add_column(sa.Column("method", sa.String(length=20), server_default="auction", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("listing") as batch:
        batch.drop_column("method")
