"""Per-user limits: each role's defaults (a row per role) and each account's overrides.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

The defaults: 4 answers running at once and 50 waiting per user; tokens and cost unlimited.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIMITS = ("running_answers", "waiting_answers", "tokens_per_day", "cost_per_month_usd")


def _columns(prefix: str) -> list[sa.Column[object]]:
    return [
        sa.Column(f"{prefix}running_answers", sa.Integer(), nullable=True),
        sa.Column(f"{prefix}waiting_answers", sa.Integer(), nullable=True),
        sa.Column(f"{prefix}tokens_per_day", sa.BigInteger(), nullable=True),
        sa.Column(f"{prefix}cost_per_month_usd", sa.Float(), nullable=True),
    ]


def upgrade() -> None:
    role_limit = op.create_table(
        "role_limit", sa.Column("role", sa.String(16), primary_key=True), *_columns("")
    )
    op.bulk_insert(
        role_limit,
        [{"role": role, "running_answers": 4, "waiting_answers": 50} for role in ("admin", "user")],
    )
    with op.batch_alter_table("account") as account:
        for column in _columns("limit_"):
            account.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("account") as account:
        for name in LIMITS:
            account.drop_column(f"limit_{name}")
    op.drop_table("role_limit")
