"""The tables' partial indexes, as SQLite plans the conditions that are meant to use them."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from core.migrate import sync_url, upgrade
from core.models import Message, is_active_answer, is_pinned


@pytest.mark.parametrize(
    ("condition", "index"),
    [(is_active_answer, "one_active_answer_per_conversation"), (is_pinned, "ix_message_pinned")],
)
def test_a_conversations_active_answer_and_its_pins_are_found_through_their_partial_indexes(
    tmp_path: Path, condition: Callable[[], Any], index: str
) -> None:
    # Regression: written with bound values, SQLite could not tell the index covers the condition
    # and read every message of the conversation (every submit, every prompt).
    url = f"sqlite:///{tmp_path / 'plan.db'}"
    upgrade(url)
    query = select(Message.id).where(Message.conversation_id == "c", condition())
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
            plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    finally:
        engine.dispose()
    assert f"USING INDEX {index}" in plan, plan
