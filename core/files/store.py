"""Where uploaded files' bytes live: a directory of their own, or pieces in the database; an
image's thumbnail beside them, deleted with them."""

import asyncio
import os
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO, Protocol

import sqlalchemy as sa
from sqlmodel import col, delete, select

from core.db import Sessionmaker, one_statement, read_only
from core.models import FileBlob

PIECE_BYTES = 1_048_576  # the database store's piece: one row, and about what a request holds in memory
THUMBNAIL_SEQ = -1  # the database store keeps a thumbnail as the piece before the first
READ_BYTES = 262_144  # what the local store reads at a time
_FILE_ID = re.compile(r"[0-9a-f-]{36}")


class FileMissing(Exception):
    """No bytes are stored under the file's id."""


class FileStore(Protocol):
    async def put(self, file_id: str, chunks: AsyncIterator[bytes]) -> int:
        """Store the file's bytes as they come; the number stored. All or nothing: if `chunks`
        raises (a client gone, a size limit), nothing of this upload is left and the error is
        raised (bytes stored earlier under the id stay)."""
        ...

    def read(self, file_id: str) -> AsyncIterator[bytes]:
        """The file's bytes in pieces (never the whole file in memory); FileMissing, raised by
        the first step of the iteration, if none are stored."""
        ...

    async def put_thumbnail(self, file_id: str, data: bytes) -> None:
        """Store the file's thumbnail (a small PNG or JPEG, whole), replacing any; FileMissing when
        the database store no longer has the file's row."""
        ...

    async def read_thumbnail(self, file_id: str) -> bytes | None:
        """The file's thumbnail; None if it has none."""
        ...

    async def delete(self, file_id: str) -> None:
        """Forget the file's bytes and its thumbnail; nothing to forget is fine."""
        ...


async def _pieces(chunks: AsyncIterator[bytes], size: int) -> AsyncIterator[bytes]:
    """The chunks regrouped into pieces of `size` bytes, the last one shorter; one empty piece
    for no bytes at all, so that an empty file is stored too."""
    buffer = bytearray()
    yielded = False
    async for chunk in chunks:
        buffer += chunk
        start = 0
        while len(buffer) - start >= size:
            yield bytes(buffer[start : start + size])
            start += size
            yielded = True
        del buffer[:start]
    if buffer or not yielded:
        yield bytes(buffer)


class LocalFileStore:
    """One file per upload under `root`, in 256 directories named by the id's last two characters
    (its random end: the start of a UUIDv7 is a timestamp, which would put every file in one)."""

    def __init__(self, root: Path) -> None:
        self._root = root

    async def put(self, file_id: str, chunks: AsyncIterator[bytes]) -> int:
        path = self._path(file_id)
        temporary, handle = await asyncio.to_thread(_temporary_beside, path)
        size = 0
        try:
            async for piece in _pieces(chunks, READ_BYTES):
                await asyncio.to_thread(handle.write, piece)
                size += len(piece)
            await asyncio.to_thread(_seal, handle, temporary, path)
        except BaseException:
            # Here, not in a thread: a cancelled upload must clean up too, and a second await
            # could be cancelled in turn. Closing and unlinking a file is quick.
            handle.close()
            temporary.unlink(missing_ok=True)
            raise
        return size

    async def read(self, file_id: str) -> AsyncIterator[bytes]:
        path = self._path(file_id)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise FileMissing(file_id) from None
        try:
            while piece := await asyncio.to_thread(handle.read, READ_BYTES):
                yield piece
        finally:
            handle.close()

    async def put_thumbnail(self, file_id: str, data: bytes) -> None:
        await asyncio.to_thread(_write_whole, self._thumbnail_path(file_id), data)

    async def read_thumbnail(self, file_id: str) -> bytes | None:
        try:
            return await asyncio.to_thread(self._thumbnail_path(file_id).read_bytes)
        except FileNotFoundError:
            return None

    async def delete(self, file_id: str) -> None:
        await asyncio.to_thread(self._path(file_id).unlink, missing_ok=True)
        await asyncio.to_thread(self._thumbnail_path(file_id).unlink, missing_ok=True)

    def _thumbnail_path(self, file_id: str) -> Path:
        path = self._path(file_id)
        return path.with_name(f"{path.name}.thumbnail")

    def _path(self, file_id: str) -> Path:
        """The file's path; ValueError for anything but an id's characters, so none leaves `root`."""
        if not _FILE_ID.fullmatch(file_id):
            raise ValueError(f"{file_id!r} is not a file id.")
        return self._root / file_id[-2:] / file_id


def _temporary_beside(path: Path) -> tuple[Path, BinaryIO]:
    """A new file in `path`'s directory (made if need be), so that renaming it is atomic."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    return Path(name), os.fdopen(descriptor, "wb")


def _write_whole(path: Path, data: bytes) -> None:
    """Blocking: `data` as the file at `path`, whole or not at all."""
    temporary, handle = _temporary_beside(path)
    try:
        handle.write(data)
        _seal(handle, temporary, path)
    except BaseException:
        handle.close()
        temporary.unlink(missing_ok=True)
        raise


def _seal(handle: BinaryIO, temporary: Path, path: Path) -> None:
    """Make the written bytes durable, then give them their name: a crash leaves either the
    whole file under it or none."""
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself
    finally:
        os.close(directory)


class DatabaseFileStore:
    """Pieces of `PIECE_BYTES` in `file_blob`, which cascade from the file's row (inserted first);
    a thumbnail is the piece numbered `THUMBNAIL_SEQ`, which reading the bytes never reaches."""

    def __init__(self, sessionmaker: Sessionmaker) -> None:
        self._sessionmaker = sessionmaker

    async def put(self, file_id: str, chunks: AsyncIterator[bytes]) -> int:
        size = 0
        # One transaction for all the pieces: leaving it uncommitted (an error, a cancellation)
        # rolls back every piece, and the bytes stored before, deleted here first, are kept.
        async with self._sessionmaker() as session:
            await session.exec(
                delete(FileBlob).where(col(FileBlob.file_id) == file_id, col(FileBlob.seq) >= 0)
            )
            seq = 0
            async for piece in _pieces(chunks, PIECE_BYTES):
                await session.exec(sa.insert(FileBlob).values(file_id=file_id, seq=seq, data=piece))
                seq += 1
                size += len(piece)
            await session.commit()
        return size

    async def read(self, file_id: str) -> AsyncIterator[bytes]:
        seq = 0
        while (piece := await self._piece(file_id, seq)) is not None:
            if piece:
                yield piece
            seq += 1
        if seq == 0:
            raise FileMissing(file_id)

    async def put_thumbnail(self, file_id: str, data: bytes) -> None:
        async with self._sessionmaker() as session:
            thumbnail = (col(FileBlob.file_id) == file_id, col(FileBlob.seq) == THUMBNAIL_SEQ)
            await session.exec(delete(FileBlob).where(*thumbnail))
            try:
                await session.exec(sa.insert(FileBlob).values(file_id=file_id, seq=THUMBNAIL_SEQ, data=data))
                await session.commit()
            except sa.exc.IntegrityError:  # the file's row is gone: its pieces' foreign key names it
                raise FileMissing(file_id) from None

    async def read_thumbnail(self, file_id: str) -> bytes | None:
        return await self._piece(file_id, THUMBNAIL_SEQ)

    async def delete(self, file_id: str) -> None:
        async with self._sessionmaker() as session:
            await one_statement(session)
            await session.exec(delete(FileBlob).where(col(FileBlob.file_id) == file_id))
            await session.commit()

    async def _piece(self, file_id: str, seq: int) -> bytes | None:
        # A transaction of its own for each piece: a slow download holds no snapshot, lock or
        # connection between them.
        async with self._sessionmaker() as session:
            await read_only(session)
            found = await session.exec(
                select(FileBlob.data).where(col(FileBlob.file_id) == file_id, col(FileBlob.seq) == seq)
            )
            return found.first()


def make_file_store(kind: str, files_dir: Path, sessionmaker: Sessionmaker) -> FileStore:
    """The store `RELAYCHAT_FILE_STORE` names: "local" (a directory) or "database"."""
    if kind == "local":
        return LocalFileStore(files_dir)
    if kind == "database":
        return DatabaseFileStore(sessionmaker)
    raise ValueError(f"The file store {kind!r} is not one relaychat has: use local or database.")


async def copy_to(store: FileStore, file_id: str, path: Path) -> None:
    """The file's bytes into `path`, piece by piece (never the whole file in memory): for a reader
    that needs a file (a PDF's, an image's library)."""
    with path.open("wb") as out:
        async for piece in store.read(file_id):
            await asyncio.to_thread(out.write, piece)
