"""An answer's tool steps: the MCP tools it called in the app, with their results.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

`message.tool_steps`: [{"id", "name", "arguments", "round", "output" | "error", "duration_ms"}],
saved as each call starts and ends, so a worker that takes the answer over goes on from them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("message", sa.Column("tool_steps", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("message", "tool_steps")
