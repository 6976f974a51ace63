"""The documents an answer drew on: each attached document, whole or the parts of it shown.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

`message.sources`: an answer's prompt's documents, in the question's order, [{"file_id", "name",
"whole", "pages", "chunks"}]: `whole` when it went in whole, else `chunks`, the ordinals of the
chunks shown; `pages`, the pages they are on (a paged document's; null for one without pages).
[] when it drew on none; null when not recorded (answers from before, or ended before a prompt).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("message", sa.Column("sources", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("message", "sources")
