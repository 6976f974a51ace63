"""The `ingest_file` job, called as the worker calls it, on each file store: an image is `ready`
with its size and a thumbnail stored beside its bytes; a document gets none; a file deleted while
it was read leaves no thumbnail behind. A real SQLite database and Redis; no worker process."""

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image

from core.files.store import FileMissing
from core.models import FileStatus, StoredFile
from tests.support.answer_path import AnswerPath, ScriptedModel, answer_path
from tests.support.processes import RedisServer
from worker import ingestion
from worker.deps import WorkerDeps
from worker.ingestion import ingest_file


async def _woken(_job_id: str) -> None:
    """Wake-ups start jobs in a worker process; here the test runs them."""


@pytest.fixture(params=["local", "database"])
async def deps(
    request: pytest.FixtureRequest, tmp_path: Path, redis_server: RedisServer, scripted_model: ScriptedModel
) -> AsyncIterator[tuple[AnswerPath, WorkerDeps]]:
    async with answer_path(
        tmp_path, redis_server.url, scripted_model.url, file_store=request.param, files_dir=tmp_path / "files"
    ) as path:
        made = await WorkerDeps.open(path.settings, path.redis, _woken)
        try:
            yield path, made
        finally:
            await made.close()


async def _bytes(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def uploaded(path: AnswerPath, deps: WorkerDeps, name: str, content_type: str, data: bytes) -> str:
    """A file as an upload leaves it: its row `processing`, its bytes stored."""
    stored = StoredFile(owner_id=path.owner, name=name, size=len(data), content_type=content_type)
    async with path.sessionmaker() as session:
        session.add(stored)
        await session.commit()
    await deps.files.put(stored.id, _bytes(data))
    return stored.id


async def row(path: AnswerPath, file_id: str) -> StoredFile | None:
    async with path.sessionmaker() as session:
        return await session.get(StoredFile, file_id)


def picture(image_format: str, size: tuple[int, int] = (1200, 800)) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(out, format=image_format)
    return out.getvalue()


@pytest.mark.parametrize(("image_format", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
async def test_an_image_is_ready_with_its_size_and_a_thumbnail_beside_it(
    deps: tuple[AnswerPath, WorkerDeps], image_format: str, content_type: str
) -> None:
    path, worker = deps
    data = picture(image_format)
    file_id = await uploaded(path, worker, "photo", content_type, data)
    assert await ingest_file(worker, file_id) == "ready"
    stored = await row(path, file_id)
    assert stored is not None
    assert (stored.status, stored.width, stored.height) == (FileStatus.ready, 1200, 800)
    small = await worker.files.read_thumbnail(file_id)
    assert small is not None
    with Image.open(io.BytesIO(small)) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == (image_format, (256, 171))
    assert b"".join([piece async for piece in worker.files.read(file_id)]) == data  # the bytes untouched
    await worker.files.delete(file_id)  # as deleting the file does
    assert await worker.files.read_thumbnail(file_id) is None


async def test_a_document_gets_no_thumbnail(deps: tuple[AnswerPath, WorkerDeps]) -> None:
    path, worker = deps
    file_id = await uploaded(path, worker, "notes.md", "text/markdown", b"# Notes\n\nA heron.\n")
    assert await ingest_file(worker, file_id) == "ready"
    assert await worker.files.read_thumbnail(file_id) is None


async def test_a_damaged_image_fails_with_no_thumbnail_and_no_bytes(
    deps: tuple[AnswerPath, WorkerDeps],
) -> None:
    path, worker = deps
    data = picture("PNG")
    file_id = await uploaded(path, worker, "broken.png", "image/png", data[: len(data) // 2])
    assert await ingest_file(worker, file_id) == "failed"
    stored = await row(path, file_id)
    assert stored is not None
    assert stored.status == FileStatus.failed
    assert await worker.files.read_thumbnail(file_id) is None
    with pytest.raises(FileMissing):
        await anext(worker.files.read(file_id))


async def test_an_image_deleted_while_it_is_read_leaves_no_thumbnail(
    deps: tuple[AnswerPath, WorkerDeps], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleted after its thumbnail was stored, before `ready` was written: the deletion forgot the
    bytes it knew of; the job forgets the thumbnail it stored."""
    path, worker = deps
    file_id = await uploaded(path, worker, "photo.png", "image/png", picture("PNG"))
    finish = ingestion._finish

    async def deleted_first(*args: object) -> bool:
        async with path.sessionmaker() as session:
            stored = await session.get(StoredFile, file_id)
            await session.delete(stored)
            await session.commit()
        return await finish(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(ingestion, "_finish", deleted_first)
    assert await ingest_file(worker, file_id) == "deleted meanwhile"
    assert await worker.files.read_thumbnail(file_id) is None
