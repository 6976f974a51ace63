"""Another app's export (ChatGPT's, Open WebUI's), once read: written at once when it is small, in
one transaction, or handed to a worker as a job with progress when it is large.

Either way the file was read and checked whole by the request (core/imports/reading.py), so a
file that cannot be imported is refused with its sentence before anything is written; a job only
writes, and what it wrote is deleted again if it fails (worker/imports.py).
"""

import asyncio
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel

from api.deps import ApiDeps
from api.refusals import Conflict, TooLarge, TooMany
from core.admission import OverLimit, admit, withdraw
from core.ids import new_id
from core.imports import jobs
from core.imports.jobs import ImportStatus, Progress
from core.imports.reading import ImportLimits, ReadImport
from core.jobs import enqueue_import, import_job_id
from core.limits import Limits
from core.models import Conversation
from core.schemas import ConversationRead
from core.settings import Settings
from core.transfer import ConversationExport, imported_rows, insert_imported

STILL_RUNNING = "An import of yours is still running: wait for it to end, then import again."


class ImportedConversations(BaseModel):
    """An import written at once: its conversations, in the file's order."""

    conversations: list[ConversationRead]


class ImportRead(BaseModel):
    """A job import: `running` while a worker writes its conversations (`done` of `total`), then
    `done`, or `failed` with `error`, a sentence (nothing of a failed import is kept)."""

    import_id: str
    status: Literal["running", "done", "failed"]
    done: int
    total: int
    error: str | None

    @classmethod
    def of(cls, progress: Progress) -> "ImportRead":
        return cls(
            import_id=progress.import_id,
            status=progress.status.value,
            done=progress.done,
            total=progress.total,
            error=progress.error,
        )


def is_large(settings: Settings, read: ReadImport) -> bool:
    """Whether an import is a job's: more conversations, or more JSON, than is written at once."""
    return (
        len(read.conversations) > settings.import_job_conversations
        or read.json_bytes > settings.import_job_bytes
    )


def limits_of(settings: Settings) -> ImportLimits:
    return ImportLimits(
        max_bytes=settings.max_import_bytes,
        max_messages=settings.max_import_messages,
        max_files=settings.max_import_files,
        max_conversations=settings.max_import_conversations,
        max_total_messages=settings.max_import_total_messages,
        max_zip_entries=settings.max_import_zip_entries,
    )


async def write_now(
    deps: ApiDeps, owner: str, conversations: list[ConversationExport]
) -> ImportedConversations:
    """Every conversation written in one transaction: all of them, or none."""
    made = await asyncio.to_thread(lambda: [imported_rows(export) for export in conversations])
    written: list[Conversation] = []
    async with deps.sessionmaker() as session:
        for conversation, rows in made:
            conversation.owner_id = owner  # the importer's, whoever exported it
            await insert_imported(session, conversation, rows)
            written.append(conversation)
        await session.commit()
        return ImportedConversations(conversations=[ConversationRead.model_validate(c) for c in written])


async def start_job(
    deps: ApiDeps, owner: str, limits: Limits, conversations: list[ConversationExport]
) -> ImportRead:
    """The import admitted as its owner's job (TooMany past their limits), its conversations
    stored for the worker (Conflict while another import of theirs runs) and the job queued."""
    import_id = new_id()
    job_id = import_job_id(import_id)
    try:
        await admit(deps.redis, owner, job_id, limits, datetime.now(UTC))
    except OverLimit as over:
        raise TooMany(over.sentence, over.retry_after_seconds) from None
    try:
        payload = await asyncio.to_thread(jobs.pack, conversations)
        if len(payload) > deps.settings.max_import_bytes:  # cannot happen for a file within it
            raise TooLarge("The import is too large to be kept for its job.")
        if not await jobs.begin(deps.redis, import_id, owner, len(conversations), payload):
            raise Conflict(STILL_RUNNING, clears=True)
        try:
            await enqueue_import(deps.redis, import_id, owner, fair=deps.settings.fair_dispatch)
        except BaseException:
            await asyncio.shield(jobs.withdraw(deps.redis, import_id, owner))
            raise
    except BaseException:
        await asyncio.shield(withdraw(deps.redis, owner, job_id))
        raise
    status = ImportStatus.running.value
    return ImportRead(import_id=import_id, status=status, done=0, total=len(conversations), error=None)
