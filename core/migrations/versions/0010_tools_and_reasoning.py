"""Tool calls and reasoning: what an answer says besides its text, and tool results.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

`message.reasoning` (the reasoning text a model streamed), `message.tool_calls` (an answer's
calls, in OpenAI's shape), `message.tool_call_id` (the call a `tool` message answers) and
`message.reasoning_tokens`. Columns added in place, as every migration does.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("reasoning", "tool_calls", "tool_call_id", "reasoning_tokens")


def upgrade() -> None:
    op.add_column("message", sa.Column("reasoning", sa.Text(), nullable=True))
    op.add_column("message", sa.Column("tool_calls", sa.JSON(), nullable=True))
    op.add_column("message", sa.Column("tool_call_id", sa.String(100), nullable=True))
    op.add_column("message", sa.Column("reasoning_tokens", sa.Integer(), nullable=True))


def downgrade() -> None:
    for column in reversed(COLUMNS):
        op.drop_column("message", column)
