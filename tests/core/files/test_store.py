"""The file stores on real disks and real databases (SQLite and Postgres): bytes back as they went
in, in bounded pieces; nothing left of a failed upload; deletes, replacements, refused ids; a
thumbnail beside the bytes, deleted with them."""

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlmodel import col, delete, select

from core.db import Sessionmaker, make_engine, make_sessionmaker
from core.files.store import (
    PIECE_BYTES,
    THUMBNAIL_SEQ,
    DatabaseFileStore,
    FileMissing,
    FileStore,
    LocalFileStore,
    make_file_store,
)
from core.ids import new_id
from core.migrate import upgrade
from core.models import FileBlob, StoredFile, User

BIG = random.Random(14).randbytes(3_500_000)
ODD_CHUNK = 7000

Leftovers = Callable[[], Awaitable[list[str]]]


class ClientGone(Exception):
    pass


async def feed(data: bytes, size: int = ODD_CHUNK, *, fail_halfway: bool = False) -> AsyncIterator[bytes]:
    """`data` in chunks of `size`, as an upload brings it; with `fail_halfway`, cut off in the middle."""
    for start in range(0, len(data), size):
        if fail_halfway and start >= len(data) // 2:
            raise ClientGone
        yield data[start : start + size]


def files_under(folder: Path) -> list[str]:
    """The files under `folder` (none if it does not exist), relative to it."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


async def read_all(store: FileStore, file_id: str) -> list[bytes]:
    return [piece async for piece in store.read(file_id)]


class StoreContract:
    """What every store does; a subclass's fixtures say which store, how a file is made ready for
    its bytes, and what a store has left on its medium."""

    @pytest.mark.parametrize("data", [b"", b"x", b"a small file\n"])
    async def test_a_small_file_comes_back_as_it_went_in(
        self, store: FileStore, file_id: str, data: bytes
    ) -> None:
        assert await store.put(file_id, feed(data, 5)) == len(data)
        assert b"".join(await read_all(store, file_id)) == data

    async def test_a_big_file_fed_in_odd_chunks_comes_back_in_bounded_pieces(
        self, store: FileStore, file_id: str
    ) -> None:
        assert await store.put(file_id, feed(BIG)) == len(BIG)
        pieces = await read_all(store, file_id)
        assert b"".join(pieces) == BIG
        assert max(len(piece) for piece in pieces) <= PIECE_BYTES

    async def test_an_upload_cut_off_halfway_leaves_nothing(
        self, store: FileStore, file_id: str, leftovers: Leftovers
    ) -> None:
        with pytest.raises(ClientGone):
            await store.put(file_id, feed(BIG, fail_halfway=True))
        with pytest.raises(FileMissing):
            await read_all(store, file_id)
        assert await leftovers() == []

    async def test_a_cancelled_upload_leaves_nothing(
        self, store: FileStore, file_id: str, leftovers: Leftovers
    ) -> None:
        stalled = asyncio.Event()

        async def first_piece_then_silence() -> AsyncIterator[bytes]:
            yield BIG[: PIECE_BYTES + 1]  # a whole piece, already stored when the next is asked for
            stalled.set()
            await asyncio.Event().wait()
            yield b"never"

        upload = asyncio.create_task(store.put(file_id, first_piece_then_silence()))
        await stalled.wait()
        upload.cancel()
        with pytest.raises(asyncio.CancelledError):
            await upload
        with pytest.raises(FileMissing):
            await read_all(store, file_id)
        assert await leftovers() == []

    async def test_a_deleted_file_is_missing_and_deleting_the_unknown_is_fine(
        self, store: FileStore, file_id: str, leftovers: Leftovers
    ) -> None:
        await store.put(file_id, feed(b"short-lived"))
        await store.delete(file_id)
        with pytest.raises(FileMissing):
            await read_all(store, file_id)
        assert await leftovers() == []
        await store.delete(file_id)
        await store.delete(new_id())

    async def test_putting_the_same_id_again_replaces_the_bytes(self, store: FileStore, file_id: str) -> None:
        await store.put(file_id, feed(BIG))
        await store.put(file_id, feed(b"the second version"))
        assert b"".join(await read_all(store, file_id)) == b"the second version"

    async def test_a_thumbnail_is_kept_beside_the_bytes_and_deleted_with_them(
        self, store: FileStore, file_id: str, leftovers: Leftovers
    ) -> None:
        assert await store.read_thumbnail(file_id) is None
        await store.put(file_id, feed(b"the image's bytes"))
        assert await store.read_thumbnail(file_id) is None
        await store.put_thumbnail(file_id, b"small")
        await store.put_thumbnail(file_id, b"smaller")  # replaced, not added
        assert await store.read_thumbnail(file_id) == b"smaller"
        assert b"".join(await read_all(store, file_id)) == b"the image's bytes"  # never among the bytes
        assert len(await leftovers()) == 2
        await store.delete(file_id)
        assert await store.read_thumbnail(file_id) is None
        assert await leftovers() == []


class TestLocalFileStore(StoreContract):
    @pytest.fixture
    def root(self, tmp_path: Path) -> Path:
        return tmp_path / "files"

    @pytest.fixture
    def store(self, root: Path) -> LocalFileStore:
        return LocalFileStore(root)

    @pytest.fixture
    def file_id(self) -> str:
        return new_id()

    @pytest.fixture
    def leftovers(self, root: Path) -> Leftovers:
        async def files_under_root() -> list[str]:
            return files_under(root)

        return files_under_root

    @pytest.mark.parametrize("file_id", ["../../etc/passwd", "0" * 35 + "/", "A" * 36, ""])
    async def test_anything_but_an_id_is_refused_before_the_disk_is_touched(
        self, store: LocalFileStore, root: Path, file_id: str
    ) -> None:
        fed: list[bytes] = []

        async def recorded() -> AsyncIterator[bytes]:
            fed.append(b"x")
            yield b"x"

        with pytest.raises(ValueError, match="not a file id"):
            await store.put(file_id, recorded())
        with pytest.raises(ValueError, match="not a file id"):
            await read_all(store, file_id)
        with pytest.raises(ValueError, match="not a file id"):
            await store.delete(file_id)
        assert fed == []
        assert not await asyncio.to_thread(root.exists)

    async def test_a_thumbnail_is_a_file_beside_the_bytes(
        self, store: LocalFileStore, file_id: str, leftovers: Leftovers
    ) -> None:
        await store.put(file_id, feed(b"bytes"))
        await store.put_thumbnail(file_id, b"small")
        assert await leftovers() == [f"{file_id[-2:]}/{file_id}", f"{file_id[-2:]}/{file_id}.thumbnail"]
        with pytest.raises(ValueError, match="not a file id"):
            await store.put_thumbnail("../../etc/passwd", b"x")

    async def test_files_are_spread_over_directories_by_the_ids_random_end(
        self, store: LocalFileStore, root: Path, leftovers: Leftovers
    ) -> None:
        ids = [new_id() for _ in range(3)]
        for file_id in ids:
            await store.put(file_id, feed(b"spread"))
        assert await leftovers() == sorted(f"{file_id[-2:]}/{file_id}" for file_id in ids)


@pytest.fixture
async def sessionmaker(empty_database: str) -> AsyncIterator[Sessionmaker]:
    upgrade(empty_database)
    engine = make_engine(empty_database)
    yield make_sessionmaker(engine)
    await engine.dispose()


class TestDatabaseFileStore(StoreContract):
    @pytest.fixture
    def store(self, sessionmaker: Sessionmaker) -> DatabaseFileStore:
        return DatabaseFileStore(sessionmaker)

    @pytest.fixture
    async def file_id(self, sessionmaker: Sessionmaker) -> str:
        """A file's row, which its pieces' foreign key names: the upload's caller inserts it first."""
        async with sessionmaker() as session:
            owner = User(email="ann@example.com", password_hash="-")
            stored = StoredFile(owner_id=owner.id, name="a.bin", size=0, content_type="application/pdf")
            session.add(owner)
            await session.flush()
            session.add(stored)
            await session.commit()
        return stored.id

    @pytest.fixture
    def leftovers(self, sessionmaker: Sessionmaker) -> Leftovers:
        async def blobs() -> list[str]:
            async with sessionmaker() as session:
                found = await session.exec(
                    select(FileBlob.file_id, FileBlob.seq).order_by(col(FileBlob.file_id), col(FileBlob.seq))
                )
                return [f"{file_id}/{seq}" for file_id, seq in found]

        return blobs

    async def test_pieces_are_rows_of_piece_bytes(self, store: DatabaseFileStore, file_id: str) -> None:
        await store.put(file_id, feed(BIG))
        sizes = [len(piece) for piece in await read_all(store, file_id)]
        assert sizes == [PIECE_BYTES] * 3 + [len(BIG) - 3 * PIECE_BYTES]

    async def test_a_thumbnail_is_the_piece_before_the_first_and_needs_the_files_row(
        self, store: DatabaseFileStore, file_id: str, leftovers: Leftovers
    ) -> None:
        await store.put(file_id, feed(b"bytes"))
        await store.put_thumbnail(file_id, b"small")
        assert await leftovers() == [f"{file_id}/{THUMBNAIL_SEQ}", f"{file_id}/0"]
        await store.put(file_id, feed(b"new bytes"))  # the bytes replaced: the thumbnail stays
        assert await store.read_thumbnail(file_id) == b"small"
        with pytest.raises(FileMissing):
            await store.put_thumbnail(new_id(), b"of a file with no row")

    async def test_deleting_the_files_row_deletes_its_pieces(
        self, store: DatabaseFileStore, sessionmaker: Sessionmaker, file_id: str, leftovers: Leftovers
    ) -> None:
        await store.put(file_id, feed(BIG))
        await store.put_thumbnail(file_id, b"small")
        async with sessionmaker() as session:
            await session.exec(delete(StoredFile).where(col(StoredFile.id) == file_id))
            await session.commit()
        assert await leftovers() == []
        with pytest.raises(FileMissing):
            await read_all(store, file_id)


async def test_the_setting_picks_the_store(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'unused.db'}")
    sessionmaker = make_sessionmaker(engine)
    assert isinstance(make_file_store("local", tmp_path, sessionmaker), LocalFileStore)
    assert isinstance(make_file_store("database", tmp_path, sessionmaker), DatabaseFileStore)
    with pytest.raises(ValueError, match="use local or database"):
        make_file_store("s3", tmp_path, sessionmaker)
    await engine.dispose()
