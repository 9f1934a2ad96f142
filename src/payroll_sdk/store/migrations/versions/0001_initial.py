"""The first schema: end users, accounts, resources, paystubs, shifts and runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "payroll_end_users",
        sa.Column("end_user_id", sa.String(255), primary_key=True),
        sa.Column("synced_at", _utc(), nullable=False),
        sa.Column("last_run_id", sa.Integer, nullable=True),
        sa.Column("unreadable_accounts", sa.Text, nullable=True),
    )
    op.create_table(
        "payroll_accounts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("end_user_id", sa.String(255), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("listed", sa.Boolean, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("first_seen_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
    )
    op.create_index("ix_payroll_accounts_end_user_id", "payroll_accounts", ["end_user_id"])
    op.create_table(
        "payroll_resources",
        sa.Column(
            "account_id",
            sa.String(64),
            sa.ForeignKey("payroll_accounts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("resource", sa.String(40), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("data", sa.Text, nullable=True),
        sa.Column("digest", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("refreshed_at", _utc(), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("watermark", sa.Date, nullable=True),
        sa.Column("watermark_at", _utc(), nullable=True),
        sa.Column("unreadable", sa.Text, nullable=True),
        sa.Column("updated_at", _utc(), nullable=False),
    )
    op.create_table(
        "payroll_paystubs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("pay_date", sa.Date, nullable=True),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("gross_pay_amount", sa.BigInteger, nullable=True),
        sa.Column("net_pay_amount", sa.BigInteger, nullable=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("first_seen_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
    )
    op.create_index(
        "ix_payroll_paystubs_account_date", "payroll_paystubs", ["account_id", "pay_date"]
    )
    op.create_table(
        "payroll_shifts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("start_date", sa.Date, nullable=True),
        sa.Column("end_date", sa.Date, nullable=True),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("first_seen_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
    )
    op.create_index("ix_payroll_shifts_account_date", "payroll_shifts", ["account_id", "end_date"])
    op.create_table(
        "payroll_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("end_user_id", sa.String(255), nullable=False),
        sa.Column("batch_id", sa.String(255), nullable=True),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("full", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("finished_at", _utc(), nullable=True),
        sa.Column("accounts", sa.Integer, nullable=False),
        sa.Column("added", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("requests", sa.Integer, nullable=False),
        sa.Column("problems", sa.Text, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
    )
    op.create_index("ix_payroll_runs_end_user_id", "payroll_runs", ["end_user_id"])
    op.create_index("ix_payroll_runs_batch_id", "payroll_runs", ["batch_id"])


def downgrade() -> None:
    for table in (
        "payroll_runs",
        "payroll_shifts",
        "payroll_paystubs",
        "payroll_resources",
        "payroll_accounts",
        "payroll_end_users",
    ):
        op.drop_table(table)
