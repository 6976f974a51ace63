"""Files: uploads, their text in chunks, their bytes when the database stores them.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

`file`: a user's upload, its sniffed type, its ingestion's status and figures. `file_chunk`: a
document's text in pieces, with the page each starts on. `file_blob`: the bytes, in pieces, when
`RELAYCHAT_FILE_STORE=database`. `message.attachments`: the files a question brought.
`account.limit_storage_mb`, `role_limit.storage_mb`: the storage quota.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "file",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner_id", sa.String(36), sa.ForeignKey("account.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.String(1000), nullable=True),
        sa.Column("tokens", sa.Integer(), nullable=True),
        sa.Column("tokenizer", sa.String(64), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_file_owner_id", "file", ["owner_id"])
    op.create_table(
        "file_chunk",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("file_id", sa.String(36), sa.ForeignKey("file.id", ondelete="CASCADE"), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
    )
    op.create_index("ix_file_chunk_file_id", "file_chunk", ["file_id"])
    op.create_table(
        "file_blob",
        sa.Column("file_id", sa.String(36), sa.ForeignKey("file.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    op.add_column("message", sa.Column("attachments", sa.JSON(), nullable=True))
    op.add_column("account", sa.Column("limit_storage_mb", sa.Integer(), nullable=True))
    op.add_column("role_limit", sa.Column("storage_mb", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("role_limit", "storage_mb")
    op.drop_column("account", "limit_storage_mb")
    op.drop_column("message", "attachments")
    op.drop_table("file_blob")
    op.drop_index("ix_file_chunk_file_id", "file_chunk")
    op.drop_table("file_chunk")
    op.drop_index("ix_file_owner_id", "file")
    op.drop_table("file")
