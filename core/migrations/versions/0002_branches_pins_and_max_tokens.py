"""Branches, pins, the answer's max tokens and each answer's recorded prompt.

Existing conversations are linear: each message's parent_id already names the one before it, so
they become one-branch trees, and the selected leaf is their newest message.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Only ADD COLUMN, CREATE INDEX and DROP COLUMN, which SQLite does in place. A batch-mode table
# copy must be avoided: SQLite drops the old table with foreign keys on, and dropping
# `conversation` would cascade into every message.


def upgrade() -> None:
    op.add_column("conversation", sa.Column("max_tokens", sa.Integer(), nullable=True))
    op.add_column("conversation", sa.Column("selected_leaf_id", sa.String(36), nullable=True))
    # A plain-string default ('0' reads as false on both databases): an SQL expression would make
    # Alembic copy the table on SQLite.
    op.add_column("message", sa.Column("pinned", sa.Boolean(), server_default="0", nullable=False))
    op.add_column("message", sa.Column("included_ids", sa.JSON(), nullable=True))
    op.create_index("ix_message_parent_id", "message", ["parent_id"])
    # Ids are UUIDv7, so the greatest is the newest message.
    op.execute(
        "UPDATE conversation SET selected_leaf_id = "
        "(SELECT MAX(message.id) FROM message WHERE message.conversation_id = conversation.id)"
    )


def downgrade() -> None:
    # Branches other than the selected one stay as messages; 0001 just shows them all in id order.
    op.drop_index("ix_message_parent_id", "message")
    op.drop_column("message", "included_ids")
    op.drop_column("message", "pinned")
    op.drop_column("conversation", "selected_leaf_id")
    op.drop_column("conversation", "max_tokens")
