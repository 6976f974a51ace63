"""Imported messages: kept as the file had them, counted in no one's usage.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

`message.imported`: true for a message that came from an imported file (core/transfer.py). Its
text, token counts and cost stay as the file had them, but the usage and the costs relaychat
reports (core/usage.py) count only what its own workers answered.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("message", sa.Column("imported", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("message", "imported")
