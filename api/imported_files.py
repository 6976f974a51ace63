"""An import's files: held to the importer's limits before anything is written, then stored as
their uploads would be (a row each, the bytes in the FileStore, the ingestion admitted and queued as
the importer's job), and all forgotten again if the import fails.

The workers read the files again rather than taking text from the file: what a document holds
(its chunks, counted in this deployment's tokenizer, its search index, an image's thumbnail) comes
from its bytes, never from what an export claims.
"""

import asyncio
import binascii
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import col, delete

from api.deps import ApiDeps
from api.refusals import TooLarge, TooMany
from api.uploads import EMPTY, MB, READ_BYTES, check_quota
from core.admission import OverLimit, admit, withdraw
from core.files.sniff import SNIFF_BYTES, Unsupported, sniff
from core.ids import new_id
from core.jobs import enqueue_ingestion, ingestion_job_id
from core.limits import Limits
from core.models import StoredFile
from core.transfer import ExportedFile, ImportRefused

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ImportedFile:
    """An exported file as it will be stored: its new id, and its type as its bytes say."""

    exported: ExportedFile
    file_id: str
    content_type: str


def _label(number: int, file: ExportedFile) -> str:
    return f"Attachment {number} ({file.name})"


async def check_limits(deps: ApiDeps, owner: str, limits: Limits, files: Sequence[ExportedFile]) -> None:
    """TooLarge when a file is past the upload limit, or all of them past the owner's quota: from
    the sizes the file declares (parse_import held the base64 to them), before any is decoded."""
    max_upload = deps.settings.max_upload_mb
    for number, file in enumerate(files, start=1):
        if file.size > max_upload * MB:
            size = f"{file.size / MB:.1f} MB"
            raise TooLarge(f"{_label(number, file)} is {size}; the limit for a file is {max_upload:g} MB.")
    if files:
        await check_quota(deps.sessionmaker, owner, limits, sum(file.size for file in files), "this import")


def _decoded(number: int, file: ExportedFile) -> bytes:
    try:
        data = binascii.a2b_base64(file.data, strict_mode=True)
    except (binascii.Error, ValueError):
        raise ImportRefused(f"{_label(number, file)} is not valid base64.") from None
    if len(data) != file.size:
        raise ImportRefused(f"{_label(number, file)} does not hold the {file.size:,} bytes its size says.")
    return data


def read_files(files: Sequence[ExportedFile]) -> list[ImportedFile]:
    """Blocking: each file decoded (one at a time: only its type is kept) and its type read from
    its bytes, as an upload's is; ImportRefused for one that is not base64, empty, or of a kind
    relaychat does not read."""
    read = []
    for number, file in enumerate(files, start=1):
        data = _decoded(number, file)
        if not data:
            raise ImportRefused(f"{_label(number, file)}: {EMPTY}")
        try:
            content_type = sniff(data[:SNIFF_BYTES], file.name).content_type
        except Unsupported as unsupported:
            raise ImportRefused(f"{_label(number, file)}: {unsupported}") from None
        read.append(ImportedFile(file, new_id(), content_type))
    return read


async def _pieces(data: bytes) -> AsyncIterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(data), READ_BYTES):
        yield bytes(view[start : start + READ_BYTES])


@asynccontextmanager
async def stored_files(
    deps: ApiDeps, owner: str, limits: Limits, files: Sequence[ImportedFile]
) -> AsyncIterator[dict[str, str]]:
    """The files stored as the owner's and queued to be read; yields the export's id to the new
    one. If the block raises (or storing does), every row, byte and admission is taken back."""
    admitted: list[str] = []
    now = datetime.now(UTC)
    try:
        for file in files:
            await admit(deps.redis, owner, ingestion_job_id(file.file_id), limits, now)
            admitted.append(file.file_id)
    except OverLimit as over:
        await _withdraw(deps, owner, admitted)
        raise TooMany(over.sentence, over.retry_after_seconds) from None
    except BaseException:
        await _withdraw(deps, owner, admitted)
        raise
    try:
        if files:
            async with deps.sessionmaker() as session:
                session.add_all(
                    StoredFile(
                        id=file.file_id,
                        owner_id=owner,
                        name=file.exported.name,
                        size=file.exported.size,
                        content_type=file.content_type,
                    )
                    for file in files
                )
                await session.commit()
        for number, file in enumerate(files, start=1):
            data = await asyncio.to_thread(_decoded, number, file.exported)
            await deps.files.put(file.file_id, _pieces(data))
            del data
        # Queued before the conversation is stored: a failure after this still takes them back
        # (a job that finds its file gone ends at once, and gives its admission back).
        for file in files:
            await enqueue_ingestion(deps.redis, file.file_id, owner, fair=deps.settings.fair_dispatch)
        yield {file.exported.id: file.file_id for file in files}
    except BaseException:
        await asyncio.shield(_forget(deps, owner, [file.file_id for file in files]))
        raise


async def _withdraw(deps: ApiDeps, owner: str, file_ids: Sequence[str]) -> None:
    for file_id in file_ids:
        await withdraw(deps.redis, owner, ingestion_job_id(file_id))


async def _forget(deps: ApiDeps, owner: str, file_ids: Sequence[str]) -> None:
    """The rows (their chunks and database pieces cascade), the bytes and the admissions of files
    an import stored before it failed. One that cannot be forgotten is logged."""
    if not file_ids:
        return
    try:
        async with deps.sessionmaker() as session:
            await session.exec(delete(StoredFile).where(col(StoredFile.id).in_(file_ids)))
            await session.commit()
    except Exception:
        logger.exception("could not delete the files of a failed import: %s", file_ids)
    for file_id in file_ids:
        try:
            await deps.files.delete(file_id)
        except Exception:
            logger.exception("could not forget the bytes of file %s of a failed import", file_id)
    await _withdraw(deps, owner, file_ids)
