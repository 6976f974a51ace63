"""The `import_conversations` job: a large import's conversations, read and checked by the API,
written in batches (a transaction each), its progress counted in Redis as it goes.

An import is kept whole or not at all: each batch's conversations are noted in Redis before they
are committed, and a failure deletes every one the job wrote (their messages cascade); a worker
that died half-way leaves them to the run that takes the job over, which deletes them first and
starts again. While it runs, the conversations written so far are already in the user's list.

The writing has a time limit of its own (`import_write_timeout_seconds`), shorter than ARQ's
timeout for the job: ARQ cancels a job past its timeout and never runs it again, which would leave
a half-written import running for ever; past this one the import fails like any other failure, its
conversations deleted. It is checked between batches rather than by cancelling the writing: a
transaction cancelled as it commits can leave SQLite locked, and the deleting would wait on it.
"""

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

from sqlmodel import col, delete

from core.imports import jobs
from core.imports.jobs import ImportStatus, Progress
from core.models import Conversation
from core.transfer import ConversationExport, imported_rows, insert_imported
from core.updates import publish_import_change
from worker.deps import WorkerDeps

logger = logging.getLogger(__name__)

BATCH_MESSAGES = 2_000  # about a batch's messages: one transaction, then the progress moves
FAILED = "The import failed while its conversations were written; nothing of it was kept. Try again."
EXPIRED = "The import waited too long for a worker and its file was no longer kept: import it again."
# ARQ's timeout for the job past the writing's limit: for the batch under way when the limit
# passes, then deleting what it wrote and ending it.
IMPORT_CLEANUP_SECONDS = 300


class WriteTimedOut(Exception):
    """The import's writing went past its time limit."""


def timed_out_sentence(limit_seconds: float) -> str:
    return (
        f"The import took longer than {limit_seconds:g} seconds to write; nothing of it was kept. "
        "Import fewer conversations at a time."
    )


def _batches(conversations: list[ConversationExport]) -> Iterator[list[ConversationExport]]:
    batch: list[ConversationExport] = []
    messages = 0
    for conversation in conversations:
        batch.append(conversation)
        messages += len(conversation.messages)
        if messages >= BATCH_MESSAGES:
            yield batch
            batch, messages = [], 0
    if batch:
        yield batch


async def _forget(deps: WorkerDeps, progress: Progress) -> None:
    """Delete the conversations the import wrote (or may have: noted before their commit)."""
    conversation_ids = await jobs.written(deps.redis, progress.import_id)
    if conversation_ids:
        async with deps.sessionmaker() as session:
            await session.exec(
                delete(Conversation).where(
                    col(Conversation.id).in_(conversation_ids),
                    col(Conversation.owner_id) == progress.owner_id,
                )
            )
            await session.commit()


def _rows(batch: list[ConversationExport]) -> list[tuple[Conversation, list[dict[str, Any]]]]:
    return [imported_rows(export) for export in batch]


async def _write(
    deps: WorkerDeps, progress: Progress, conversations: list[ConversationExport], deadline: float
) -> None:
    """Batch after batch; WriteTimedOut when one is left once the loop's clock passed `deadline`."""
    loop = asyncio.get_running_loop()
    done = 0
    for batch in _batches(conversations):
        if done and loop.time() > deadline:
            raise WriteTimedOut
        made = await asyncio.to_thread(_rows, batch)
        await jobs.will_write(deps.redis, progress.import_id, [conversation.id for conversation, _ in made])
        async with deps.sessionmaker() as session:
            for conversation, rows in made:
                conversation.owner_id = progress.owner_id
                await insert_imported(session, conversation, rows)
            await session.commit()
        done += len(batch)
        await jobs.advance(deps.redis, progress.import_id, done)


async def _end(deps: WorkerDeps, progress: Progress, status: ImportStatus, error: str | None = None) -> str:
    await jobs.end(deps.redis, progress, status, error)
    await publish_import_change(deps.redis, progress.import_id, progress.owner_id)
    return status.value


async def import_conversations(deps: WorkerDeps, import_id: str) -> str:
    """Write the import's conversations; its owner's browsers hear when it is done or failed."""
    progress = await jobs.read(deps.redis, import_id)
    if progress is None:
        return "gone"
    if progress.status is not ImportStatus.running:
        return f"already {progress.status.value}"
    # A run after one that died: what that one wrote goes, and this one starts from nothing.
    await _forget(deps, progress)
    await jobs.restart(deps.redis, import_id)
    payload = await jobs.payload(deps.redis, import_id)
    if payload is None:
        return await _end(deps, progress, ImportStatus.failed, EXPIRED)
    limit = deps.settings.import_write_timeout_seconds
    deadline = asyncio.get_running_loop().time() + limit
    try:
        conversations = await asyncio.to_thread(jobs.unpack, payload)
        del payload
        await _write(deps, progress, conversations, deadline)
    except Exception as error:
        timed_out = isinstance(error, WriteTimedOut)
        if timed_out:
            logger.warning("import %s went past its %gs to write; deleting what it wrote", import_id, limit)
        else:
            logger.exception("import %s failed; deleting what it wrote", import_id)
        try:
            await _forget(deps, progress)
        except Exception:
            logger.exception("import %s: could not delete what it wrote", import_id)
        sentence = timed_out_sentence(limit) if timed_out else FAILED
        return await _end(deps, progress, ImportStatus.failed, sentence)
    logger.info("import %s: %d conversations written", import_id, len(conversations))
    return await _end(deps, progress, ImportStatus.done)
