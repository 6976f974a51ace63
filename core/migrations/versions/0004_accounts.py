"""Accounts: users, their sign-in sessions and API keys, site settings, conversation owners.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

Existing data: conversations keep every message and get no owner; the first admin account
created takes them (core/accounts.py), so a single-user install carries on as that admin.

A conversation's owner is a plain reference, not ON DELETE CASCADE: deleting an account deletes
its conversations in code first, which also stops their running answers and ends their streams
(and SQLite keeps no cascade option of a column added in place where SQLAlchemy can read it).
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _moment(name: str, nullable: bool = False) -> "sa.Column[datetime]":
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _owner() -> "sa.Column[str]":
    return sa.Column(
        "user_id", sa.String(36), sa.ForeignKey("account.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _moment("created_at"),
        _moment("updated_at"),
    )
    op.create_table(
        "login_session",
        sa.Column("id", sa.String(36), primary_key=True),
        _owner(),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_agent", sa.String(300), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        _moment("created_at"),
        _moment("last_seen_at"),
        _moment("expires_at"),
    )
    op.create_index("ix_login_session_user_id", "login_session", ["user_id"])
    op.create_table(
        "api_key",
        sa.Column("id", sa.String(36), primary_key=True),
        _owner(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        _moment("created_at"),
        _moment("last_used_at", nullable=True),
    )
    op.create_index("ix_api_key_user_id", "api_key", ["user_id"])
    op.create_table(
        "site_setting",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        # In place (SQLite accepts REFERENCES on a new nullable column): a batch-mode table copy
        # would drop `conversation`, and with foreign keys on that deletes every message.
        op.execute("ALTER TABLE conversation ADD COLUMN owner_id VARCHAR(36) REFERENCES account (id)")
    else:
        op.add_column("conversation", sa.Column("owner_id", sa.String(36), nullable=True))
        op.create_foreign_key("conversation_owner_id_fkey", "conversation", "account", ["owner_id"], ["id"])
    op.create_index("ix_conversation_owner_id", "conversation", ["owner_id"])


def downgrade() -> None:
    op.drop_index("ix_conversation_owner_id", "conversation")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE conversation DROP COLUMN owner_id")
    else:
        op.drop_constraint("conversation_owner_id_fkey", "conversation", type_="foreignkey")
        op.drop_column("conversation", "owner_id")
    op.drop_table("site_setting")
    op.drop_index("ix_api_key_user_id", "api_key")
    op.drop_table("api_key")
    op.drop_index("ix_login_session_user_id", "login_session")
    op.drop_table("login_session")
    op.drop_table("account")
