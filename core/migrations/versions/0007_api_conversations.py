"""Conversations that came through the OpenAI-compatible API, and an answer's sampling parameters.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

`conversation.source`: `app` (the web UI and /api) or `api` (/v1), so the sidebar can leave the
second out. `message.params`: what a /v1 request asked the model for (temperature, top_p, stop,
seed, penalties, max_tokens), passed on by the worker.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("conversation", sa.Column("source", sa.String(16), nullable=False, server_default="app"))
    op.add_column("message", sa.Column("params", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("message", "params")
    op.drop_column("conversation", "source")
