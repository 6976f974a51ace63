"""The `ingest_file` job: read an uploaded file (a document's text in chunks, its tokens, and
with an embedding model set its chunks' vectors; an image's size, and its thumbnail stored beside
its bytes), then mark it `ready`, or `failed` with a sentence and its bytes forgotten.

The slow work (copying the bytes out of the store, extracting, counting) runs off the event loop;
what it found is written in one transaction, so a worker killed half-way leaves the file as it
was (`processing`) and the job, run again, starts over.
"""

import asyncio
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import col, delete, update

from core.failures import AnswerFailure
from core.files.chunks import Chunk, split
from core.files.extract import Unreadable, extract
from core.files.images import ImageInfo, read_image
from core.files.sniff import IMAGES
from core.files.store import FileMissing, copy_to
from core.models import FileChunk, FileStatus, StoredFile, utcnow
from core.tokens import TokenCounter, counter_for
from core.updates import publish_file_change
from worker.deps import WorkerDeps
from worker.job_usage import record_job_usage

logger = logging.getLogger(__name__)

UNREADABLE = "relaychat could not read this file."


@dataclass(frozen=True, slots=True)
class Read:
    """What reading a file found."""

    chunks: list[Chunk]
    pages: int | None
    image: ImageInfo | None
    thumbnail: bytes | None = None


def _read(path: Path, content_type: str, counter: TokenCounter) -> Read:
    """Blocking: the document's text in chunks, or the image's size and thumbnail."""
    if content_type in IMAGES:
        image = read_image(path)
        return Read([], None, image.info, image.thumbnail)
    pages = extract(path, content_type)
    numbered = [page.number for page in pages if page.number is not None]
    return Read(split(pages, counter.count), max(numbered) if numbered else None, None)


async def _vectors(deps: WorkerDeps, stored: StoredFile, chunks: list[Chunk]) -> list[bytes] | None:
    """The chunks' vectors, when an embedding model is set, counted in the owner's usage; none when
    its server fails: the document is still found by its words."""
    if deps.embedder is None or not chunks:
        return None
    try:
        embedded = await deps.embedder.embed([chunk.text for chunk in chunks])
    except AnswerFailure as failure:
        logger.warning("file %s: no vectors, found by its words alone: %s", stored.id, failure)
        return None
    await record_job_usage(deps, stored.owner_id, "embedding", deps.embedder.spec, embedded.tokens)
    return embedded.vectors


async def _finish(
    deps: WorkerDeps, stored: StoredFile, read: Read, tokenizer: str, vectors: list[bytes] | None
) -> bool:
    """Store what was read and mark the file ready, if it is still there and processing."""
    figures: dict[str, object] = (
        {"width": read.image.width, "height": read.image.height}
        if read.image
        else {"tokens": sum(c.tokens for c in read.chunks), "tokenizer": tokenizer, "pages": read.pages}
    )
    if vectors is not None and deps.embedder is not None:
        figures["embedded_with"] = deps.embedder.spec.id
    async with deps.sessionmaker() as session:
        marked = await session.exec(
            update(StoredFile)
            .where(col(StoredFile.id) == stored.id, col(StoredFile.status) == FileStatus.processing)
            .values(status=FileStatus.ready, updated_at=utcnow(), **figures)
        )
        if not marked.rowcount:
            return False  # deleted meanwhile, or read by another worker already
        await session.exec(delete(FileChunk).where(col(FileChunk.file_id) == stored.id))
        session.add_all(
            FileChunk(
                file_id=stored.id,
                ordinal=c.ordinal,
                page=c.page,
                text=c.text,
                tokens=c.tokens,
                embedding=vectors[i] if vectors else None,
            )
            for i, c in enumerate(read.chunks)
        )
        await session.commit()
    return True


async def _exists(deps: WorkerDeps, file_id: str) -> bool:
    async with deps.sessionmaker() as session:
        return await session.get(StoredFile, file_id) is not None


async def _fail(deps: WorkerDeps, stored: StoredFile, error: str) -> None:
    """Mark the file failed with its sentence, and forget its bytes."""
    async with deps.sessionmaker() as session:
        await session.exec(
            update(StoredFile)
            .where(col(StoredFile.id) == stored.id, col(StoredFile.status) == FileStatus.processing)
            .values(status=FileStatus.failed, error=error[:1000], updated_at=utcnow())
        )
        await session.commit()
    await deps.files.delete(stored.id)


async def give_up(deps: WorkerDeps, file_id: str) -> str:
    """The file's last try failed (its store or database out all along): it ends `failed`,
    rather than being read for ever, and the answers waiting for it with it."""
    async with deps.sessionmaker() as session:
        stored = await session.get(StoredFile, file_id)
    if stored is None or stored.status != FileStatus.processing:
        return "deleted" if stored is None else f"already {stored.status}"
    await _fail(deps, stored, UNREADABLE)
    await publish_file_change(deps.redis, file_id, stored.owner_id)
    return "failed"


async def ingest_file(deps: WorkerDeps, file_id: str) -> str:
    """Read the file; its owner's browsers hear when it is ready or failed."""
    async with deps.sessionmaker() as session:
        stored = await session.get(StoredFile, file_id)
    if stored is None:
        return "deleted"
    if stored.status != FileStatus.processing:
        return f"already {stored.status}"
    counter = counter_for(deps.catalog.get(None))
    with tempfile.TemporaryDirectory(prefix="relaychat-ingest-") as work:
        path = Path(work) / "file"
        await copy_to(deps.files, file_id, path)
        try:
            read = await asyncio.to_thread(_read, path, stored.content_type, counter)
        except Exception as error:
            if not isinstance(error, Unreadable):
                # A reader's own failure on these bytes: read again, they would fail the same way.
                logger.exception("file %s: its reader failed", file_id)
            await _fail(deps, stored, str(error) if isinstance(error, Unreadable) else UNREADABLE)
            await publish_file_change(deps.redis, file_id, stored.owner_id)
            return "failed"
    if read.thumbnail is not None:
        # Before `ready`: a browser that hears of it asks for the thumbnail at once.
        try:
            await deps.files.put_thumbnail(file_id, read.thumbnail)
        except FileMissing:
            return "deleted meanwhile"
    vectors = await _vectors(deps, stored, read.chunks)
    if not await _finish(deps, stored, read, counter.name, vectors):
        if read.thumbnail is not None and not await _exists(deps, file_id):
            await deps.files.delete(file_id)  # deleted while its thumbnail was stored: none is left
        return "deleted meanwhile"
    await publish_file_change(deps.redis, file_id, stored.owner_id)
    return "ready"
