"""The `import_conversations` job, called as the worker calls it: batches written with their
progress, and an import kept whole or not at all (a failure half-way, a run after a dead worker).
A real SQLite database and Redis; no worker process."""

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import col, select

from core import keys
from core.imports import chatgpt, jobs
from core.imports.jobs import ImportStatus
from core.jobs import enqueue_import
from core.models import Conversation, Message
from core.transfer import ConversationExport
from tests.core.imports.test_chatgpt import items
from tests.support.answer_path import AnswerPath, ScriptedModel, answer_path
from tests.support.processes import RedisServer
from worker import imports
from worker.deps import WorkerDeps
from worker.imports import FAILED, import_conversations, timed_out_sentence


async def _woken(_job_id: str) -> None:
    """Wake-ups start jobs in a worker process; here the test runs them."""


@pytest.fixture
async def deps(
    tmp_path: Path, redis_server: RedisServer, scripted_model: ScriptedModel, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[AnswerPath, WorkerDeps]]:
    monkeypatch.setattr(imports, "BATCH_MESSAGES", 1)  # a batch a conversation: progress at each
    async with answer_path(tmp_path, redis_server.url, scripted_model.url) as path:
        made = await WorkerDeps.open(path.settings, path.redis, _woken)
        try:
            yield path, made
        finally:
            await made.close()


def conversations(count: int) -> list[ConversationExport]:
    trip, starter = chatgpt.read_export(items(), 10_000)
    return [trip if number % 2 else starter for number in range(count)]


async def started(path: AnswerPath, exports: list[ConversationExport], import_id: str = "imp-1") -> str:
    """An import as the API leaves it: its progress and payload in Redis."""
    assert await jobs.begin(path.redis, import_id, path.owner, len(exports), jobs.pack(exports))
    return import_id


async def titles(path: AnswerPath) -> list[str]:
    async with path.sessionmaker() as session:
        rows = await session.exec(
            select(Conversation.title)
            .where(Conversation.owner_id == path.owner)
            .order_by(col(Conversation.id))
        )
        return list(rows)


async def test_the_conversations_are_written_in_batches_and_the_import_ends_done(
    deps: tuple[AnswerPath, WorkerDeps],
) -> None:
    path, worker = deps
    import_id = await started(path, conversations(3))
    assert await import_conversations(worker, import_id) == "done"
    progress = await jobs.read(path.redis, import_id)
    assert progress is not None
    assert (progress.status, progress.done, progress.total, progress.error) == (ImportStatus.done, 3, 3, None)
    assert await titles(path) == ["Sourdough starter", "Trip to Lisbon", "Sourdough starter"]
    async with path.sessionmaker() as session:
        messages = list(await session.exec(select(Message)))
    assert len(messages) == 3 + 4 + 3
    assert all(message.imported for message in messages)  # counted in no one's usage
    # Its payload and its running mark are gone: the owner may import again.
    assert not await path.redis.exists(keys.import_payload(import_id), keys.import_running(path.owner))
    assert await import_conversations(worker, import_id) == "already done"


async def test_a_failure_half_way_deletes_what_the_import_wrote(deps: tuple[AnswerPath, WorkerDeps]) -> None:
    path, worker = deps
    exports = conversations(3)
    broken = exports[2].model_copy(deep=True)
    for message in broken.messages[:2]:
        message.client_id = "the same"  # the database refuses it: one message per client id
    import_id = await started(path, [*exports[:2], broken])
    assert await import_conversations(worker, import_id) == "failed"
    progress = await jobs.read(path.redis, import_id)
    assert progress is not None
    assert (progress.status, progress.error) == (ImportStatus.failed, FAILED)
    assert await titles(path) == []  # the two batches written before it are gone too
    assert not await path.redis.exists(keys.import_payload(import_id), keys.import_running(path.owner))


async def test_a_run_after_a_dead_worker_deletes_what_that_one_wrote_and_starts_again(
    deps: tuple[AnswerPath, WorkerDeps],
) -> None:
    path, worker = deps
    import_id = await started(path, conversations(2))
    left = Conversation(owner_id=path.owner, title="Written by the worker that died")
    async with path.sessionmaker() as session:
        session.add(left)
        await session.commit()
    await jobs.will_write(path.redis, import_id, [left.id])
    await jobs.advance(path.redis, import_id, 1)

    assert await import_conversations(worker, import_id) == "done"
    assert await titles(path) == ["Sourdough starter", "Trip to Lisbon"]


async def test_a_payload_gone_before_the_job_ran_fails_with_a_sentence(
    deps: tuple[AnswerPath, WorkerDeps],
) -> None:
    path, worker = deps
    import_id = await started(path, conversations(1))
    await path.redis.delete(keys.import_payload(import_id))
    assert await import_conversations(worker, import_id) == "failed"
    progress = await jobs.read(path.redis, import_id)
    assert progress is not None
    assert progress.error is not None
    assert progress.error.startswith("The import waited too long for a worker")
    assert await import_conversations(worker, "no-such-import") == "gone"


async def test_one_import_at_a_time_per_user(deps: tuple[AnswerPath, WorkerDeps]) -> None:
    path, worker = deps
    first = await started(path, conversations(1), "imp-a")
    assert await enqueue_import(path.redis, first, path.owner)  # its job waits in the queue
    assert not await jobs.begin(path.redis, "imp-b", path.owner, 1, jobs.pack(conversations(1)))
    assert await import_conversations(worker, first) == "done"
    assert await jobs.begin(path.redis, "imp-b", path.owner, 1, jobs.pack(conversations(1)))


async def test_an_import_past_its_write_timeout_fails_and_keeps_nothing(
    deps: tuple[AnswerPath, WorkerDeps],
) -> None:
    # ARQ cancelled a job past its timeout (CancelledError, not an Exception) and never ran it
    # again: what it had written stayed, and the import ran for ever, its owner unable to import.
    path, worker = deps
    hasty = replace(worker, settings=worker.settings.model_copy(update={"import_write_timeout_seconds": 0}))
    import_id = await started(path, conversations(3))
    assert await import_conversations(hasty, import_id) == "failed"
    progress = await jobs.read(path.redis, import_id)
    assert progress is not None
    assert progress.status is ImportStatus.failed
    assert progress.error == timed_out_sentence(0)
    assert progress.done == 1  # the first batch was written before the limit was seen
    assert await titles(path) == []
    assert not await path.redis.exists(keys.import_payload(import_id), keys.import_running(path.owner))
