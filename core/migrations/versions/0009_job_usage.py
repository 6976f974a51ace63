"""What jobs other than answers cost their owners: a title's model call.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

`job_usage`: one row per such job that asked the model (its user, kind, model, tokens and cost),
counted in the user's usage beside their answers (core/usage.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_usage",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("account.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("prompt_tokens", sa.BigInteger(), nullable=False),
        sa.Column("completion_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_job_usage_user_id", "job_usage", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_job_usage_user_id", table_name="job_usage")
    op.drop_table("job_usage")
