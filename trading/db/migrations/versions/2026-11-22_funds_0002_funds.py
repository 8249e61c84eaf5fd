"""funds: the deposit escrow ledger (accounts, journal, sub-accounts, bank feed, refunds, fees)

Revision ID: 0002_funds
Revises: 0001_core
Create Date: 2026-11-22 19:11:01.167346
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import trading.db.base

revision = "0002_funds"
down_revision = "0001_core"
branch_labels = None
depends_on = None


# PostgreSQL enforces what the service enforces, once more, in the database itself:
# - an entry's postings sum to zero, checked at COMMIT (a constraint trigger, DEFERRABLE
#   INITIALLY DEFERRED, so the legs of one entry may be inserted one by one);
# - the journal is append-only: UPDATE and DELETE on entries and postings are refused.
# SQLite has neither; there the service checks the sums and `trading funds verify` rechecks all.
PG_UPGRADE = (
    """
    CREATE FUNCTION funds_check_entry_balanced() RETURNS trigger AS $$
    DECLARE total bigint;
    BEGIN
        SELECT COALESCE(SUM(amount_fen), 0) INTO total FROM funds_posting WHERE entry_seq = NEW.entry_seq;
        IF total <> 0 THEN
            RAISE EXCEPTION 'journal entry % does not balance: its postings sum to % fen', NEW.entry_seq, total
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE CONSTRAINT TRIGGER funds_posting_balanced
        AFTER INSERT ON funds_posting
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION funds_check_entry_balanced()
    """,
    """
    CREATE FUNCTION funds_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'the journal is append-only: % on % is refused; post a reversing entry', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER funds_journal_entry_append_only BEFORE UPDATE OR DELETE ON funds_journal_entry
        FOR EACH ROW EXECUTE FUNCTION funds_refuse_change()
    """,
    """
    CREATE TRIGGER funds_posting_append_only BEFORE UPDATE OR DELETE ON funds_posting
        FOR EACH ROW EXECUTE FUNCTION funds_refuse_change()
    """,
)
PG_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS funds_posting_append_only ON funds_posting",
    "DROP TRIGGER IF EXISTS funds_journal_entry_append_only ON funds_journal_entry",
    "DROP FUNCTION IF EXISTS funds_refuse_change()",
    "DROP TRIGGER IF EXISTS funds_posting_balanced ON funds_posting",
    "DROP FUNCTION IF EXISTS funds_check_entry_balanced()",
)


def upgrade() -> None:
    schema_upgrades()
    data_upgrades()


def downgrade() -> None:
    data_downgrades()
    schema_downgrades()


def schema_upgrades() -> None:
    op.create_table(
        "funds_bank_statement",
        sa.Column("statement_date", sa.Date(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("imported_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column(
            "report",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds_bank_statement")),
        sa.UniqueConstraint("sha256", name=op.f("uq_funds_bank_statement_sha256")),
    )
    with op.batch_alter_table("funds_bank_statement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_funds_bank_statement_statement_date"), ["statement_date"], unique=False
        )

    op.create_table(
        "funds_counter",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_funds_counter")),
    )
    op.create_table(
        "funds_fee_schedule",
        sa.Column("sector", sa.String(length=20), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("payer", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("created_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("payer IN ('winner', 'principal')", name=op.f("ck_funds_fee_schedule_payer")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds_fee_schedule")),
        sa.UniqueConstraint("sector", "effective_from", name=op.f("uq_funds_fee_schedule_sector")),
    )
    op.create_table(
        "funds_interest_rate",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("rate_ppm", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('current_deposit', 'benchmark_loan')", name=op.f("ck_funds_interest_rate_kind")
        ),
        sa.CheckConstraint("rate_ppm >= 0", name=op.f("ck_funds_interest_rate_rate_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds_interest_rate")),
        sa.UniqueConstraint("kind", "effective_from", name=op.f("uq_funds_interest_rate_kind")),
    )
    op.create_table(
        "funds_journal_entry",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("posted_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("value_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("memo", sa.String(length=500), nullable=False),
        sa.Column("section_id", sa.Uuid(), nullable=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("reverses_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["funds_journal_entry.id"],
            name=op.f("fk_funds_journal_entry_reverses_id_funds_journal_entry"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_funds_journal_entry")),
        sa.UniqueConstraint("hash", name=op.f("uq_funds_journal_entry_hash")),
        sa.UniqueConstraint("id", name=op.f("uq_funds_journal_entry_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_funds_journal_entry_idempotency_key")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_funds_journal_entry_reverses_id")),
    )
    with op.batch_alter_table("funds_journal_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funds_journal_entry_code"), ["code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_funds_journal_entry_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_funds_journal_entry_posted_at"), ["posted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_funds_journal_entry_section_id"), ["section_id"], unique=False)

    op.create_table(
        "funds_refund_instruction",
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("created_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds_refund_instruction")),
        sa.UniqueConstraint("number", name=op.f("uq_funds_refund_instruction_number")),
    )
    op.create_table(
        "funds_fee_band",
        sa.Column("schedule_id", sa.Uuid(), nullable=False),
        sa.Column("lower_fen", sa.BigInteger(), nullable=False),
        sa.Column("upper_fen", sa.BigInteger(), nullable=True),
        sa.Column("rate_ppm", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("rate_ppm >= 0", name=op.f("ck_funds_fee_band_rate_not_negative")),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["funds_fee_schedule.id"],
            name=op.f("fk_funds_fee_band_schedule_id_funds_fee_schedule"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds_fee_band")),
        sa.UniqueConstraint("schedule_id", "lower_fen", name=op.f("uq_funds_fee_band_schedule_id")),
    )
    with op.batch_alter_table("funds_fee_band", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funds_fee_band_schedule_id"), ["schedule_id"], unique=False)

    op.create_table(
        "funds_account",
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sector", sa.String(length=20), nullable=True),
        sa.Column("section_id", sa.Uuid(), nullable=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("opened_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('asset', 'liability', 'income', 'expense')", name=op.f("ck_funds_account_kind")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_funds_account_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["section_id"], ["section.id"], name=op.f("fk_funds_account_section_id_section")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds_account")),
        sa.UniqueConstraint("code", name=op.f("uq_funds_account_code")),
    )
    with op.batch_alter_table("funds_account", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_funds_account_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_funds_account_section_id"), ["section_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_funds_account_sector"), ["sector"], unique=False)

    op.create_table(
        "funds_fee_invoice",
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("section_id", sa.Uuid(), nullable=False),
        sa.Column("sector", sa.String(length=20), nullable=False),
        sa.Column("payer", sa.String(length=10), nullable=False),
        sa.Column("payer_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("contract_value_fen", sa.BigInteger(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column(
            "breakdown",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("schedule_id", sa.Uuid(), nullable=False),
        sa.Column("issued_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("settled_fen", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_funds_fee_invoice_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["funds_journal_entry.id"],
            name=op.f("fk_funds_fee_invoice_entry_id_funds_journal_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["payer_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_funds_fee_invoice_payer_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["funds_fee_schedule.id"],
            name=op.f("fk_funds_fee_invoice_schedule_id_funds_fee_schedule"),
        ),
        sa.ForeignKeyConstraint(
            ["section_id"], ["section.id"], name=op.f("fk_funds_fee_invoice_section_id_section")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds_fee_invoice")),
        sa.UniqueConstraint("number", name=op.f("uq_funds_fee_invoice_number")),
        sa.UniqueConstraint("section_id", name=op.f("uq_funds_fee_invoice_section_id")),
    )
    with op.batch_alter_table("funds_fee_invoice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_funds_fee_invoice_payer_organisation_id"), ["payer_organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_funds_fee_invoice_sector"), ["sector"], unique=False)

    op.create_table(
        "funds_posting",
        sa.Column("entry_seq", sa.BigInteger(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("balance_after_fen", sa.BigInteger(), nullable=False),
        sa.Column("posted_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_fen <> 0", name=op.f("ck_funds_posting_amount_not_zero")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["funds_account.id"], name=op.f("fk_funds_posting_account_id_funds_account")
        ),
        sa.ForeignKeyConstraint(
            ["entry_seq"],
            ["funds_journal_entry.seq"],
            name=op.f("fk_funds_posting_entry_seq_funds_journal_entry"),
        ),
        sa.PrimaryKeyConstraint("entry_seq", "line", name=op.f("pk_funds_posting")),
    )
    with op.batch_alter_table("funds_posting", schema=None) as batch_op:
        batch_op.create_index(
            "ix_funds_posting_balance", ["account_id", "posted_at", "entry_seq"], unique=False
        )

    op.create_table(
        "funds_virtual_account",
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("section_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("sector", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("opened_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("settled_at", trading.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("settled_by", sa.String(length=100), nullable=True),
        sa.Column("settlement_reason", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "state IN ('held', 'refunded', 'forfeited', 'converted')",
            name=op.f("ck_funds_virtual_account_state"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["funds_account.id"],
            name=op.f("fk_funds_virtual_account_account_id_funds_account"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_funds_virtual_account_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["section_id"], ["section.id"], name=op.f("fk_funds_virtual_account_section_id_section")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds_virtual_account")),
        sa.UniqueConstraint("account_id", name=op.f("uq_funds_virtual_account_account_id")),
        sa.UniqueConstraint("number", name=op.f("uq_funds_virtual_account_number")),
        sa.UniqueConstraint(
            "section_id", "organisation_id", name=op.f("uq_funds_virtual_account_section_id")
        ),
    )
    with op.batch_alter_table("funds_virtual_account", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_funds_virtual_account_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_funds_virtual_account_section_id"), ["section_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_funds_virtual_account_sector"), ["sector"], unique=False)

    op.create_table(
        "funds_bank_credit",
        sa.Column("bank_txn_id", sa.String(length=64), nullable=False),
        sa.Column("virtual_account_number", sa.String(length=40), nullable=False),
        sa.Column("virtual_account_id", sa.Uuid(), nullable=True),
        sa.Column("section_id", sa.Uuid(), nullable=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("sector", sa.String(length=20), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("payer_name", sa.String(length=200), nullable=False),
        sa.Column("payer_account", sa.String(length=40), nullable=False),
        sa.Column("payer_bank", sa.String(length=100), nullable=False),
        sa.Column("value_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("disposition", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("reversed_at", trading.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reversal_entry_id", sa.Uuid(), nullable=True),
        sa.Column("statement_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "disposition IN ('deposit', 'late', 'foreign_payer', 'unmatched')",
            name=op.f("ck_funds_bank_credit_disposition"),
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_funds_bank_credit_amount_positive")),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["funds_journal_entry.id"],
            name=op.f("fk_funds_bank_credit_entry_id_funds_journal_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["reversal_entry_id"],
            ["funds_journal_entry.id"],
            name=op.f("fk_funds_bank_credit_reversal_entry_id_funds_journal_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["funds_bank_statement.id"],
            name=op.f("fk_funds_bank_credit_statement_id_funds_bank_statement"),
        ),
        sa.ForeignKeyConstraint(
            ["virtual_account_id"],
            ["funds_virtual_account.id"],
            name=op.f("fk_funds_bank_credit_virtual_account_id_funds_virtual_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds_bank_credit")),
        sa.UniqueConstraint("bank_txn_id", name=op.f("uq_funds_bank_credit_bank_txn_id")),
    )
    with op.batch_alter_table("funds_bank_credit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funds_bank_credit_disposition"), ["disposition"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_funds_bank_credit_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_funds_bank_credit_section_id"), ["section_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_funds_bank_credit_virtual_account_id"), ["virtual_account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_funds_bank_credit_virtual_account_number"),
            ["virtual_account_number"],
            unique=False,
        )

    op.create_table(
        "funds_guarantee",
        sa.Column("virtual_account_id", sa.Uuid(), nullable=False),
        sa.Column("section_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("recorded_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("closed_at", trading.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_reason", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "status IN ('accepted', 'released', 'claimed')", name=op.f("ck_funds_guarantee_status")
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_funds_guarantee_amount_positive")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_funds_guarantee_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["section_id"], ["section.id"], name=op.f("fk_funds_guarantee_section_id_section")
        ),
        sa.ForeignKeyConstraint(
            ["virtual_account_id"],
            ["funds_virtual_account.id"],
            name=op.f("fk_funds_guarantee_virtual_account_id_funds_virtual_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds_guarantee")),
        sa.UniqueConstraint("issuer", "number", name=op.f("uq_funds_guarantee_issuer")),
    )
    with op.batch_alter_table("funds_guarantee", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_funds_guarantee_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_funds_guarantee_section_id"), ["section_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_funds_guarantee_virtual_account_id"), ["virtual_account_id"], unique=False
        )

    op.create_table(
        "funds_refund",
        sa.Column("credit_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("virtual_account_id", sa.Uuid(), nullable=True),
        sa.Column("section_id", sa.Uuid(), nullable=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("sector", sa.String(length=20), nullable=True),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column("rule", sa.String(length=8), nullable=True),
        sa.Column("principal_fen", sa.BigInteger(), nullable=False),
        sa.Column("with_interest", sa.Boolean(), nullable=False),
        sa.Column("late_charge_applies", sa.Boolean(), nullable=False),
        sa.Column("interest_fen", sa.BigInteger(), nullable=True),
        sa.Column("late_charge_fen", sa.BigInteger(), nullable=True),
        sa.Column("interest_from", sa.Date(), nullable=False),
        sa.Column("payee_name", sa.String(length=200), nullable=False),
        sa.Column("payee_account", sa.String(length=40), nullable=False),
        sa.Column("payee_bank", sa.String(length=100), nullable=False),
        sa.Column("fell_due_at", trading.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("due_basis", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("instruction_id", sa.Uuid(), nullable=True),
        sa.Column("sent_at", trading.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("confirmed_at", trading.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("bank_txn_id", sa.String(length=64), nullable=True),
        sa.Column("failed_at", trading.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failure_reason", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("kind IN ('deposit', 'return')", name=op.f("ck_funds_refund_kind")),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'confirmed', 'failed')", name=op.f("ck_funds_refund_status")
        ),
        sa.CheckConstraint("principal_fen > 0", name=op.f("ck_funds_refund_principal_positive")),
        sa.ForeignKeyConstraint(
            ["credit_id"], ["funds_bank_credit.id"], name=op.f("fk_funds_refund_credit_id_funds_bank_credit")
        ),
        sa.ForeignKeyConstraint(
            ["instruction_id"],
            ["funds_refund_instruction.id"],
            name=op.f("fk_funds_refund_instruction_id_funds_refund_instruction"),
        ),
        sa.ForeignKeyConstraint(
            ["virtual_account_id"],
            ["funds_virtual_account.id"],
            name=op.f("fk_funds_refund_virtual_account_id_funds_virtual_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds_refund")),
        sa.UniqueConstraint("bank_txn_id", name=op.f("uq_funds_refund_bank_txn_id")),
        sa.UniqueConstraint("credit_id", name=op.f("uq_funds_refund_credit_id")),
    )
    with op.batch_alter_table("funds_refund", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funds_refund_due_on"), ["due_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_funds_refund_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_funds_refund_section_id"), ["section_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_funds_refund_sector"), ["sector"], unique=False)
        batch_op.create_index(batch_op.f("ix_funds_refund_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_funds_refund_virtual_account_id"), ["virtual_account_id"], unique=False
        )


def schema_downgrades() -> None:
    with op.batch_alter_table("funds_refund", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funds_refund_virtual_account_id"))
        batch_op.drop_index(batch_op.f("ix_funds_refund_status"))
        batch_op.drop_index(batch_op.f("ix_funds_refund_sector"))
        batch_op.drop_index(batch_op.f("ix_funds_refund_section_id"))
        batch_op.drop_index(batch_op.f("ix_funds_refund_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_funds_refund_due_on"))

    op.drop_table("funds_refund")
    with op.batch_alter_table("funds_guarantee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funds_guarantee_virtual_account_id"))
        batch_op.drop_index(batch_op.f("ix_funds_guarantee_section_id"))
        batch_op.drop_index(batch_op.f("ix_funds_guarantee_organisation_id"))

    op.drop_table("funds_guarantee")
    with op.batch_alter_table("funds_bank_credit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funds_bank_credit_virtual_account_number"))
        batch_op.drop_index(batch_op.f("ix_funds_bank_credit_virtual_account_id"))
        batch_op.drop_index(batch_op.f("ix_funds_bank_credit_section_id"))
        batch_op.drop_index(batch_op.f("ix_funds_bank_credit_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_funds_bank_credit_disposition"))

    op.drop_table("funds_bank_credit")
    with op.batch_alter_table("funds_virtual_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funds_virtual_account_sector"))
        batch_op.drop_index(batch_op.f("ix_funds_virtual_account_section_id"))
        batch_op.drop_index(batch_op.f("ix_funds_virtual_account_organisation_id"))

    op.drop_table("funds_virtual_account")
    with op.batch_alter_table("funds_posting", schema=None) as batch_op:
        batch_op.drop_index("ix_funds_posting_balance")

    op.drop_table("funds_posting")
    with op.batch_alter_table("funds_fee_invoice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funds_fee_invoice_sector"))
        batch_op.drop_index(batch_op.f("ix_funds_fee_invoice_payer_organisation_id"))

    op.drop_table("funds_fee_invoice")
    with op.batch_alter_table("funds_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funds_account_sector"))
        batch_op.drop_index(batch_op.f("ix_funds_account_section_id"))
        batch_op.drop_index(batch_op.f("ix_funds_account_organisation_id"))

    op.drop_table("funds_account")
    with op.batch_alter_table("funds_fee_band", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funds_fee_band_schedule_id"))

    op.drop_table("funds_fee_band")
    op.drop_table("funds_refund_instruction")
    with op.batch_alter_table("funds_journal_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funds_journal_entry_section_id"))
        batch_op.drop_index(batch_op.f("ix_funds_journal_entry_posted_at"))
        batch_op.drop_index(batch_op.f("ix_funds_journal_entry_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_funds_journal_entry_code"))

    op.drop_table("funds_journal_entry")
    op.drop_table("funds_interest_rate")
    op.drop_table("funds_fee_schedule")
    op.drop_table("funds_counter")
    with op.batch_alter_table("funds_bank_statement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funds_bank_statement_statement_date"))

    op.drop_table("funds_bank_statement")


def data_upgrades() -> None:
    if op.get_context().dialect.name == "postgresql":
        for statement in PG_UPGRADE:
            op.execute(statement)


def data_downgrades() -> None:
    if op.get_context().dialect.name == "postgresql":
        for statement in PG_DOWNGRADE:
            op.execute(statement)
