"""Each message's token count, stored once when it is written, with the tokenizer that counted it;
an index of pinned messages.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

Existing messages get none: a prompt counts those as it meets them (core/branch_walk.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("message", sa.Column("tokens", sa.Integer(), nullable=True))
    op.add_column("message", sa.Column("tokenizer", sa.String(64), nullable=True))
    pinned = sa.text("pinned")
    op.create_index(
        "ix_message_pinned", "message", ["conversation_id"], sqlite_where=pinned, postgresql_where=pinned
    )


def downgrade() -> None:
    op.drop_index("ix_message_pinned", "message")
    op.drop_column("message", "tokenizer")
    op.drop_column("message", "tokens")
