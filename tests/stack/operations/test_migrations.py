"""The schema at start-up, through the API and worker processes: a schema behind is refused, and an
upgraded 0001 database is served and answered in."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from core.migrate import SchemaState, schema_state, upgrade
from tests.core.test_migrate import insert_0001_rows
from tests.support.stack import MakeStack, ask, wait_for_message


def test_schema_behind_stops_api_and_worker_naming_relaychat_migrate(
    make_stack: MakeStack, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    SQLModel.metadata.create_all(engine)  # tables, but no migration history: an older layout
    engine.dispose()
    assert schema_state(url) == SchemaState.behind

    stack = make_stack(database_url=url)
    with pytest.raises(RuntimeError, match="process exited") as refused:
        stack.start_api()
    assert "relaychat migrate" in str(refused.value)
    with pytest.raises(RuntimeError, match="process exited") as refused:
        stack.start_worker()
    assert "relaychat migrate" in str(refused.value)


def test_an_upgraded_0001_database_is_served_as_single_branches_and_answered_in(
    empty_database: str, make_stack: MakeStack
) -> None:
    upgrade(empty_database, "0001")
    made = insert_0001_rows(empty_database)
    upgrade(empty_database)

    # The API serves the old conversations as single branches, and answers in them as before.
    stack = make_stack(database_url=empty_database)
    stack.start()
    with stack.client() as client:
        cid, *mids = made["three turns"]
        branch = client.get(f"/api/conversations/{cid}/branch").json()
        assert branch["leaf_id"] == mids[-1]
        assert [m["id"] for m in branch["messages"]] == mids
        assert all(m["sibling_ids"] == [m["id"]] for m in branch["messages"])
        assert client.get(f"/api/conversations/{cid}").json()["selected_leaf_id"] == mids[-1]
        pair = ask(client, cid, "a question after the upgrade")
        assert pair["user_message"]["parent_id"] == mids[-1]
        answer = wait_for_message(client, pair["assistant_message"]["id"])
        assert answer["status"] == "complete"
        assert answer["included_ids"] == mids
