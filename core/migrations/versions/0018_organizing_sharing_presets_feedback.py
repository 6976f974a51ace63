"""Folders, pins and archives; shared links; prompt presets; feedback; per-conversation sampling.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

`folder`: a user's folders. `conversation.folder_id`, `pinned_at`, `archived_at`: where a
conversation sits in its owner's list. `conversation.temperature`, `top_p`, `seed`: its answers'
sampling. `share`: a read-only snapshot of a branch, reached by a token kept as its SHA-256.
`prompt_preset`: saved prompts, an admin's optionally shared. `feedback`: thumbs on answers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _owner(name: str = "owner_id") -> sa.Column[str]:
    return sa.Column(name, sa.String(36), sa.ForeignKey("account.id", ondelete="CASCADE"), nullable=False)


def _moment(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "folder",
        sa.Column("id", sa.String(36), primary_key=True),
        _owner(),
        sa.Column("name", sa.String(100), nullable=False),
        _moment("created_at"),
        _moment("updated_at"),
    )
    op.create_index("ix_folder_owner_id", "folder", ["owner_id"])
    # Plain ALTER TABLE, not batch mode: rebuilding `conversation` would drop its search triggers,
    # and with foreign keys on, every message with it.
    op.add_column("conversation", sa.Column("temperature", sa.Float(), nullable=True))
    op.add_column("conversation", sa.Column("top_p", sa.Float(), nullable=True))
    op.add_column("conversation", sa.Column("seed", sa.BigInteger(), nullable=True))
    op.add_column("conversation", _moment("pinned_at", nullable=True))
    op.add_column("conversation", _moment("archived_at", nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite accepts REFERENCES on a new nullable column, in place; deleting a folder unfiles
        # its conversations first (no ON DELETE, which SQLite would keep where reflection cannot see it).
        op.execute("ALTER TABLE conversation ADD COLUMN folder_id VARCHAR(36) REFERENCES folder (id)")
    else:
        op.add_column("conversation", sa.Column("folder_id", sa.String(36), nullable=True))
        op.create_foreign_key("conversation_folder_id_fkey", "conversation", "folder", ["folder_id"], ["id"])
    op.create_index("ix_conversation_folder_id", "conversation", ["folder_id"])
    op.create_table(
        "share",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "conversation_id",
            sa.String(36),
            sa.ForeignKey("conversation.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        _owner(),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        _moment("created_at"),
    )
    op.create_index("ix_share_owner_id", "share", ["owner_id"])
    op.create_table(
        "prompt_preset",
        sa.Column("id", sa.String(36), primary_key=True),
        _owner(),
        sa.Column("command", sa.String(32), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        _moment("created_at"),
        _moment("updated_at"),
        sa.UniqueConstraint("owner_id", "command"),
    )
    op.create_index("ix_prompt_preset_owner_id", "prompt_preset", ["owner_id"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "message_id", sa.String(36), sa.ForeignKey("message.id", ondelete="CASCADE"), nullable=False
        ),
        _owner("user_id"),
        sa.Column("rating", sa.String(8), nullable=False),
        sa.Column("comment", sa.String(2000), nullable=True),
        _moment("created_at"),
        _moment("updated_at"),
        sa.UniqueConstraint("message_id", "user_id"),
    )
    op.create_index("ix_feedback_message_id", "feedback", ["message_id"])
    op.create_index("ix_feedback_user_id", "feedback", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_feedback_user_id", "feedback")
    op.drop_index("ix_feedback_message_id", "feedback")
    op.drop_table("feedback")
    op.drop_index("ix_prompt_preset_owner_id", "prompt_preset")
    op.drop_table("prompt_preset")
    op.drop_index("ix_share_owner_id", "share")
    op.drop_table("share")
    op.drop_index("ix_conversation_folder_id", "conversation")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE conversation DROP COLUMN folder_id")
    else:
        op.drop_constraint("conversation_folder_id_fkey", "conversation", type_="foreignkey")
        op.drop_column("conversation", "folder_id")
    for column in ("archived_at", "pinned_at", "seed", "top_p", "temperature"):
        op.drop_column("conversation", column)
    op.drop_table("folder")
