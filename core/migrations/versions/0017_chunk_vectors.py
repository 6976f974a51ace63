"""Vectors of documents' chunks, for ranking a long document's parts by meaning beside BM25.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

`file_chunk.embedding`: the chunk's vector from the configured embedding model, unit length, as
float32 bytes (null when none is configured, or its call failed). `file.embedded_with`: the model
that made its chunks' vectors, so that vectors of another model are never compared with a question's.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Columns added in place: rebuilding file_chunk (a batch) would drop its search triggers.
    op.add_column("file_chunk", sa.Column("embedding", sa.LargeBinary(), nullable=True))
    op.add_column("file", sa.Column("embedded_with", sa.String(200), nullable=True))


def downgrade() -> None:
    op.drop_column("file", "embedded_with")
    op.drop_column("file_chunk", "embedding")
