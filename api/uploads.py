"""Taking an upload: admitted as its owner's job, sniffed, within their storage quota, stored, and
handed to the workers to read; a file that cannot be read ends `failed` with a sentence, and
nothing is left half-stored.

Every way a file comes in goes through `take_upload`: a multipart form (`upload_form`, for
`POST /api/files` and `POST /v1/files`) and bytes a /v1 request brought inline (`store_bytes`).
"""

import logging
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

from fastapi import Request
from redis.asyncio import Redis
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from api.accounts.authenticator import Principal
from api.deps import ApiDeps
from api.refusals import Invalid, Refusal, TooLarge, TooMany
from core.admission import OverLimit, admit, withdraw
from core.db import Sessionmaker
from core.files.sniff import SNIFF_BYTES, Unsupported, sniff
from core.files.store import FileStore
from core.ids import new_id
from core.jobs import enqueue_ingestion, ingestion_job_id
from core.limits import Limits
from core.models import FileStatus, StoredFile

logger = logging.getLogger(__name__)

MB = 1_000_000
# What a multipart body may hold besides its file: the form's boundaries and headers, with room.
FORM_FRAMING = 64_000
READ_BYTES = 256 * 1024
EMPTY = "The file is empty."
MAX_NAME = 255
UNKNOWN_TYPE = "application/octet-stream"
NO_FILE = "Send the file as the multipart field `file`."


class Upload(Protocol):
    """The uploaded part, as Starlette spools it (to disk past a megabyte)."""

    filename: str | None
    size: int | None

    async def read(self, size: int = -1) -> bytes: ...
    async def seek(self, offset: int) -> None: ...


def multipart_body(**fields: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI request body of an upload's form: its `file`, and `fields` beside it (the form is
    read as it streams in, so FastAPI cannot say it)."""
    properties = {"file": {"type": "string", "format": "binary"}, **fields}
    schema = {"type": "object", "properties": properties, "required": list(properties)}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


def too_large(max_upload_mb: float) -> str:
    return f"The file is too large; the limit is {max_upload_mb:g} MB."


async def storage_used(session: AsyncSession, owner: str) -> int:
    """What the owner's files take now, in bytes (a failed one's bytes are gone): what the storage
    quota counts, and what `GET /api/usage` reports."""
    used = await session.exec(
        select(func.coalesce(func.sum(StoredFile.size), 0)).where(
            StoredFile.owner_id == owner, col(StoredFile.status) != FileStatus.failed
        )
    )
    return int(used.one())


async def _used_bytes(sessionmaker: Sessionmaker, owner: str) -> int:
    async with sessionmaker() as session:
        return await storage_used(session, owner)


async def check_quota(
    sessionmaker: Sessionmaker, owner: str, limits: Limits, size: int, what: str = "this one"
) -> None:
    """TooLarge when `size` more bytes (`what`, in its sentence) would pass the owner's storage quota."""
    if limits.storage_mb is None:
        return
    used = await _used_bytes(sessionmaker, owner)
    if used + size > limits.storage_mb * MB:
        raise TooLarge(
            f"Your files take {used / MB:.1f} MB of your {limits.storage_mb:g} MB; {what} "
            f"({size / MB:.1f} MB) does not fit. Delete some files first."
        )


async def admit_upload(redis: Redis, owner: str, limits: Limits) -> str:
    """The new file's id, its ingestion admitted within the owner's limits (TooMany past them):
    checked before its body is read."""
    file_id = new_id()
    try:
        await admit(redis, owner, ingestion_job_id(file_id), limits, datetime.now(UTC))
    except OverLimit as over:
        raise TooMany(over.sentence, over.retry_after_seconds) from None
    return file_id


async def withdraw_upload(redis: Redis, owner: str, file_id: str) -> None:
    """Give back an upload's admission: nothing was stored."""
    await withdraw(redis, owner, ingestion_job_id(file_id))


async def _pieces(upload: Upload) -> AsyncIterator[bytes]:
    while piece := await upload.read(READ_BYTES):
        yield piece


async def take_upload(
    redis: Redis,
    sessionmaker: Sessionmaker,
    store: FileStore,
    file_id: str,
    owner: str,
    limits: Limits,
    upload: Upload,
    max_upload_mb: float,
    fair: bool,
) -> StoredFile:
    """Store the admitted upload and queue its ingestion. An empty file or one of a kind relaychat
    does not read is kept as `failed`, with its sentence and without its bytes."""
    size = upload.size or 0
    if size > max_upload_mb * MB:
        await withdraw_upload(redis, owner, file_id)
        raise TooLarge(too_large(max_upload_mb))
    head = await upload.read(SNIFF_BYTES)
    await upload.seek(0)
    name = (upload.filename or "file")[:MAX_NAME] or "file"
    row = StoredFile(
        id=file_id, owner_id=owner, name=name, size=size, content_type="application/octet-stream"
    )
    try:
        if not head:
            raise Unsupported(EMPTY)
        row.content_type = sniff(head, name).content_type
    except Unsupported as unsupported:
        await withdraw_upload(redis, owner, file_id)
        return await _save_failed(sessionmaker, row, str(unsupported))
    try:
        await check_quota(sessionmaker, owner, limits, size)
        async with sessionmaker() as session:
            session.add(row)
            await session.commit()
        try:
            await store.put(file_id, _pieces(upload))
        except BaseException:
            await _forget(sessionmaker, file_id)
            raise
    except BaseException:
        await withdraw_upload(redis, owner, file_id)
        raise
    await enqueue_ingestion(redis, file_id, owner, fair=fair)
    return row


async def _save_failed(sessionmaker: Sessionmaker, row: StoredFile, error: str) -> StoredFile:
    row.status, row.error = FileStatus.failed, error
    async with sessionmaker() as session:
        session.add(row)
        await session.commit()
        await session.refresh(row)
    return row


async def _forget(sessionmaker: Sessionmaker, file_id: str) -> None:
    async with sessionmaker() as session:
        if (row := await session.get(StoredFile, file_id)) is not None:
            await session.delete(row)
            await session.commit()


async def upload_form(
    request: Request,
    deps: ApiDeps,
    user: Principal,
    *,
    fields: int = 0,
    check: Callable[[FormData], None] = lambda form: None,
) -> StoredFile:
    """The file a multipart form brings in its field `file`, taken as an upload of the user's.
    Past `RELAYCHAT_MAX_UPLOAD_MB` or the user's storage quota, TooLarge; the form may hold
    `fields` other fields, which `check` may refuse (nothing is stored then)."""
    settings = deps.settings
    declared = int(request.headers.get("content-length", "0") or 0)
    if declared > settings.max_upload_mb * MB + FORM_FRAMING:
        raise TooLarge(too_large(settings.max_upload_mb))
    # Before the body is read: the quota for the least the file can be, and the ingestion's
    # admission. The file's own size is held to both once it is in.
    await check_quota(deps.sessionmaker, user.user_id, user.limits, max(declared - FORM_FRAMING, 0))
    file_id = await admit_upload(deps.redis, user.user_id, user.limits)
    try:
        form = await request.form(max_files=1, max_fields=fields)
    except HTTPException as malformed:  # Starlette's word on a form it cannot parse
        await withdraw_upload(deps.redis, user.user_id, file_id)
        raise Invalid(f"The upload is not a form relaychat reads: {malformed.detail}") from None
    try:
        upload = form.get("file")
        try:
            if not isinstance(upload, UploadFile):
                raise Invalid(NO_FILE)
            check(form)
        except Refusal:
            await withdraw_upload(deps.redis, user.user_id, file_id)
            raise
        return await take_upload(
            deps.redis,
            deps.sessionmaker,
            deps.files,
            file_id,
            user.user_id,
            user.limits,
            upload,
            settings.max_upload_mb,
            settings.fair_dispatch,
        )
    finally:
        await form.close()


class _Inline:
    """Bytes a request brought inline, read as an upload."""

    def __init__(self, data: bytes, filename: str) -> None:
        self.filename: str | None = filename
        self.size: int | None = len(data)
        self._data = data
        self._at = 0

    async def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._at + size
        piece = self._data[self._at : end]
        self._at += len(piece)
        return piece

    async def seek(self, offset: int) -> None:
        self._at = offset


async def store_bytes(deps: ApiDeps, user: Principal, data: bytes, name: str) -> StoredFile:
    """Bytes a request brought inline (a /v1 data URL), stored as an upload of the user's: within
    the upload limit and their storage quota, admitted as their job, sniffed, stored and read by
    the workers, exactly as a form's file."""
    settings = deps.settings
    if len(data) > settings.max_upload_mb * MB:
        raise TooLarge(too_large(settings.max_upload_mb))
    await check_quota(deps.sessionmaker, user.user_id, user.limits, len(data))
    file_id = await admit_upload(deps.redis, user.user_id, user.limits)
    return await take_upload(
        deps.redis,
        deps.sessionmaker,
        deps.files,
        file_id,
        user.user_id,
        user.limits,
        _Inline(data, name),
        settings.max_upload_mb,
        settings.fair_dispatch,
    )


async def forget_files(deps: ApiDeps, file_ids: Iterable[str]) -> None:
    """Delete files a request stored for an answer that did not start: their rows and bytes (an
    ingestion queued for one finds nothing, and ends)."""
    for file_id in file_ids:
        await _forget(deps.sessionmaker, file_id)
        await deps.files.delete(file_id)
