"""What the answer path's fast tests share (tests/api/test_starting.py, tests/worker/test_generate.py):
a migrated SQLite database with one account, the real redis-server of the session, and the scripted
model served from a thread of the test process. No relaychat process runs: the tests call
`start_answer` and `generate` themselves."""

import shutil
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from arq.connections import ArqRedis
from sqlmodel import select

from core import accounts
from core.catalog import Catalog, load_catalog
from core.db import Sessionmaker, make_engine, make_sessionmaker
from core.migrate import upgrade
from core.models import Conversation, Message, Role, Status
from core.redis import connect, target_of
from core.settings import Settings
from tests.support import scripted_model
from tests.support.processes import free_port
from tests.support.stack import write_models_file


class ScriptedModel:
    """tests/support/scripted_model.py's server on a thread: real HTTP, scripted in memory."""

    def __init__(self) -> None:
        self.port = free_port()
        config = uvicorn.Config(scripted_model.app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="scripted-model", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            assert time.monotonic() < deadline, "the scripted model did not start"
            time.sleep(0.01)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, match: str, *responses: dict[str, Any]) -> None:
        scripted_model.scripts[match] = list(responses)

    def requests(self, match: str) -> list[dict[str, Any]]:
        return [record for record in scripted_model.requests if record["match"] == match]

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@dataclass(frozen=True)
class AnswerPath:
    """One test's relaychat without its processes: settings, catalog, database, Redis, one user."""

    settings: Settings
    catalog: Catalog
    sessionmaker: Sessionmaker
    redis: ArqRedis
    owner: str


_template: tuple[Path, str] | None = None


async def _database_with_an_account(target: Path) -> str:
    """A copy of a database migrated, with its account, once per test process (migrating and
    hashing a password took most of a second a test); returns the account's id."""
    global _template
    if _template is None:
        file = Path(tempfile.mkdtemp(prefix="relaychat-template-")) / "answers.db"
        upgrade(f"sqlite:///{file}")
        engine = make_engine(f"sqlite:///{file}")
        async with make_sessionmaker(engine)() as session:
            user = await accounts.create_user(
                session, "ann@relaychat.test", "a tester's passphrase", first=True
            )
        await engine.dispose()
        _template = file, user.id
    shutil.copyfile(_template[0], target)
    return _template[1]


@asynccontextmanager
async def answer_path(
    tmp_path: Path, redis_url: str, model_url: str, *, flush: bool = True, **settings: Any
) -> AsyncIterator[AnswerPath]:
    """A fresh database (migrated, one account) beside Redis (emptied if `flush`), and the models
    of the scripted model (`scripted`, 8,192 tokens; `scripted-alt`, 4,096)."""
    owner = await _database_with_an_account(tmp_path / "answers.db")
    url = f"sqlite:///{tmp_path / 'answers.db'}"
    chosen = Settings(
        _env_file=None,
        database_url=url,
        redis_url=redis_url,
        models_file=write_models_file(tmp_path, model_url),
        **settings,
    )
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    redis = connect(target_of(chosen), 8, "relaychat-tests")
    if flush:
        await redis.flushall()
    try:
        yield AnswerPath(chosen, load_catalog(chosen), sessionmaker, redis, owner)
    finally:
        await redis.aclose()
        await engine.dispose()


async def database_with_a_key(file: Path) -> str:
    """A migrated SQLite database at `file` with one account (the first: an admin); returns an API
    key of it, for an app run in the test's own process."""
    url = f"sqlite:///{file}"
    upgrade(url)
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        user = await accounts.create_user(session, "ann@relaychat.test", "a tester's passphrase", first=True)
        key, _ = await accounts.create_key(session, user, "tests")
    await engine.dispose()
    return key


async def stored_question(path: AnswerPath, question_text: str, **answer: Any) -> Message:
    """A conversation of the path's user with one question and its queued answer, stored as the
    API stores them; returns the answer (with `answer`'s fields)."""
    async with path.sessionmaker() as session:
        conversation = Conversation(owner_id=path.owner, model="scripted")
        question = Message(conversation_id=conversation.id, role=Role.user, content=question_text)
        fields = {"status": Status.queued, "model": "scripted", **answer}
        queued = Message(
            conversation_id=conversation.id, parent_id=question.id, role=Role.assistant, **fields
        )
        conversation.selected_leaf_id = queued.id
        session.add(conversation)
        await session.flush()
        session.add_all([question, queued])
        await session.commit()
        return queued


async def row(path: AnswerPath, message_id: str) -> Message | None:
    """The message as the database holds it now."""
    async with path.sessionmaker() as session:
        return (await session.exec(select(Message).where(Message.id == message_id))).first()
