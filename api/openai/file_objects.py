"""Files as OpenAI's Files API shows them: a `FileObject` per stored file, and its list."""

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel

from core.models import FileStatus, StoredFile

PURPOSE: Literal["user_data"] = "user_data"
"""The one purpose relaychat's files have: OpenAI's for files a model reads as input."""

# OpenAI's (deprecated, still sent) `status` of a file: being read, read, or not readable.
STATUS: dict[FileStatus, Literal["uploaded", "processed", "error"]] = {
    FileStatus.processing: "uploaded",
    FileStatus.ready: "processed",
    FileStatus.failed: "error",
}


class FileObject(BaseModel):
    """OpenAI's `File`: `status_details` says why a file is `error` (relaychat's sentence)."""

    id: str
    object: Literal["file"] = "file"
    bytes: int
    created_at: int
    filename: str
    purpose: Literal["user_data"] = PURPOSE
    status: Literal["uploaded", "processed", "error"]
    expires_at: int | None = None
    status_details: str | None = None


class FileList(BaseModel):
    object: Literal["list"] = "list"
    data: list[FileObject]
    first_id: str | None
    last_id: str | None
    has_more: bool


class DeletedFile(BaseModel):
    id: str
    object: Literal["file"] = "file"
    deleted: Literal[True] = True


def _unix(moment: datetime) -> int:
    """Seconds since the epoch; a time SQLite gives back without its zone is UTC."""
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def file_object(stored: StoredFile) -> FileObject:
    return FileObject(
        id=stored.id,
        bytes=stored.size,
        created_at=_unix(stored.created_at),
        filename=stored.name,
        status=STATUS[stored.status],
        status_details=stored.error,
    )
