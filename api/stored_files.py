"""What `/api/files` and `/v1/files` both do with a stored file of the user's (found by `FileDep`):
its bytes as a download, and its deletion."""

from collections.abc import AsyncIterator
from urllib.parse import quote

from fastapi.responses import StreamingResponse
from sqlmodel.ext.asyncio.session import AsyncSession

from api.deps import ApiDeps
from api.refusals import FILE_NOT_FOUND, Invalid, NotFound
from core.files.store import FileMissing
from core.models import FileStatus, StoredFile

NO_BYTES = "This file could not be read, and its bytes were not kept."


async def download(stored: StoredFile, session: AsyncSession, deps: ApiDeps) -> StreamingResponse:
    """The file's bytes, as a download (never shown as a page of this site); a failed file has none."""
    if stored.status == FileStatus.failed:
        raise Invalid(NO_BYTES)
    await session.close()  # a long download holds no database connection
    pieces = deps.files.read(stored.id)
    try:
        first = await anext(pieces)  # bytes that are gone are a 404 before the response starts
    except (FileMissing, StopAsyncIteration):
        raise NotFound(FILE_NOT_FOUND) from None

    async def body() -> AsyncIterator[bytes]:
        yield first
        async for piece in pieces:
            yield piece

    disposition = f"attachment; filename*=UTF-8''{quote(stored.name)}"
    return StreamingResponse(
        body(),
        media_type=stored.content_type,
        headers={
            "Content-Disposition": disposition,
            "Content-Length": str(stored.size),
            "Content-Security-Policy": "sandbox",
        },
    )


async def delete_file(stored: StoredFile, session: AsyncSession, deps: ApiDeps) -> None:
    """Delete the file: its row, its text (cascade) and its bytes. Messages that brought it keep its
    id, and say it is gone."""
    await session.delete(stored)
    await session.commit()
    await deps.files.delete(stored.id)
