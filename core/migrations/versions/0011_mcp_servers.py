"""MCP servers, and the tools a conversation's answers may use.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

`mcp_server`: a server an admin registered (Streamable HTTP or stdio), its sealed headers and
environment, the tools a worker last listed and their status. `conversation.tools`: the
`<server>.<tool>` names its answers may call.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mcp_server",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("transport", sa.String(16), nullable=False),
        sa.Column("url", sa.String(2000), nullable=True),
        sa.Column("command", sa.String(500), nullable=True),
        sa.Column("args", sa.JSON(), nullable=True),
        sa.Column("sealed_headers", sa.Text(), nullable=True),
        sa.Column("sealed_env", sa.Text(), nullable=True),
        sa.Column("idempotent_tools", sa.JSON(), nullable=True),
        sa.Column("tools", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_detail", sa.String(1000), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column("conversation", sa.Column("tools", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("conversation", "tools")
    op.drop_table("mcp_server")
