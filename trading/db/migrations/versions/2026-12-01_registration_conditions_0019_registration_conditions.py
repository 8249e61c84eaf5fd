"""registration_conditions: a transferee answers the transferor's conditions when it registers
(R-03), so a registration keeps its answers; each listed condition says whether it asks for
evidence (a listing's conditions were plain texts before: declarations only)

Revision ID: 0019_registration_conditions
Revises: 0016_sales_quote
Create Date: 2026-12-01 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0019_registration_conditions"
down_revision = "0016_sales_quote"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
listing = sa.table("listing", sa.column("id", sa.Uuid()), sa.column("transferee_conditions", JSON))


def _rewrite(convert) -> None:  # type: ignore[no-untyped-def]
    bind = op.get_bind()
    for row in bind.execute(sa.select(listing.c.id, listing.c.transferee_conditions)).all():
        if row.transferee_conditions:
            bind.execute(
                listing.update()
                .where(listing.c.id == row.id)
                .values(transferee_conditions=[convert(c) for c in row.transferee_conditions])
            )


def upgrade() -> None:
    with op.batch_alter_table("registration") as batch:
        batch.add_column(sa.Column("transferee_answers", JSON, nullable=True))
    _rewrite(lambda c: c if isinstance(c, dict) else {"text": c, "evidence_required": False})


def downgrade() -> None:
    _rewrite(lambda c: c["text"] if isinstance(c, dict) else c)
    with op.batch_alter_table("registration") as batch:
        batch.drop_column("transferee_answers")
