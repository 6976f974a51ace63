"""An import's files (api/imported_files.py) on each file store, with a real SQLite database and Redis: read
from the export (base64 checked, the type from the bytes), stored as the importer's files with
their ingestion admitted and queued; and all of it taken back when the import fails after they
were stored: no row, no byte, no admission left."""

import base64
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from api.deps import ApiDeps
from api.imported_files import read_files, stored_files
from core import keys
from core.files.store import FileMissing
from core.jobs import ingestion_job_id
from core.limits import Limits
from core.models import FileBlob, FileStatus, StoredFile
from core.transfer import ExportedFile, ImportRefused
from tests.support.answer_path import AnswerPath, ScriptedModel, answer_path
from tests.support.processes import RedisServer

NOTES = b"# Notes\n\nThe heron nests by the old mill.\n"
PDF = b"%PDF-1.7\n" + b"x" * 100


def exported(name: str, data: bytes, file_id: str = "old-1") -> ExportedFile:
    encoded = base64.b64encode(data).decode()
    return ExportedFile(id=file_id, name=name, content_type="text/plain", size=len(data), data=encoded)


@pytest.fixture(params=["local", "database"])
async def deps(
    request: pytest.FixtureRequest, tmp_path: Path, redis_server: RedisServer, scripted_model: ScriptedModel
) -> AsyncIterator[tuple[AnswerPath, ApiDeps]]:
    settings = {"file_store": request.param, "files_dir": tmp_path / "files"}
    async with answer_path(tmp_path, redis_server.url, scripted_model.url, **settings) as path:
        made = await ApiDeps.open(path.settings)
        try:
            yield path, made
        finally:
            await made.close()


def test_files_are_read_with_their_type_from_their_bytes() -> None:
    read = read_files([exported("notes.md", NOTES), exported("report.txt", PDF, "old-2")])
    assert [(f.exported.id, f.content_type) for f in read] == [
        ("old-1", "text/markdown"),
        ("old-2", "application/pdf"),  # whatever its name and the export say
    ]
    assert read[0].file_id != read[1].file_id


@pytest.mark.parametrize(
    ("file", "sentence"),
    [
        (
            exported("a.md", NOTES).model_copy(update={"data": "!!!!"}),
            "Attachment 1 (a.md) is not valid base64.",
        ),
        (
            exported("a.md", NOTES).model_copy(update={"data": "aGk"}),
            "Attachment 1 (a.md) is not valid base64.",
        ),
        (
            exported("a.md", NOTES).model_copy(update={"size": len(NOTES) - 1}),
            f"Attachment 1 (a.md) does not hold the {len(NOTES) - 1:,} bytes its size says.",
        ),
        (exported("a.md", b""), "Attachment 1 (a.md): The file is empty."),
        (exported("a.bin", bytes(range(256))), "Attachment 1 (a.bin): This kind of file is not supported"),
    ],
    ids=["not-base64", "unpadded", "size", "empty", "unsupported"],
)
def test_a_file_that_cannot_be_read_is_refused(file: ExportedFile, sentence: str) -> None:
    with pytest.raises(ImportRefused) as refused:
        read_files([file])
    assert str(refused.value).startswith(sentence)


async def rows(path: AnswerPath, file_ids: list[str]) -> list[StoredFile]:
    async with path.sessionmaker() as session:
        return list(await session.exec(select(StoredFile).where(col(StoredFile.id).in_(file_ids))))


async def blobs(path: AnswerPath) -> int:
    async with path.sessionmaker() as session:
        return len(list(await session.exec(select(FileBlob.file_id))))


async def test_stored_files_are_the_importers_admitted_and_queued(deps: tuple[AnswerPath, ApiDeps]) -> None:
    path, api = deps
    files = read_files([exported("notes.md", NOTES), exported("report.pdf", PDF, "old-2")])
    async with stored_files(api, path.owner, Limits(), files) as file_ids:
        assert file_ids == {"old-1": files[0].file_id, "old-2": files[1].file_id}
    stored = await rows(path, list(file_ids.values()))
    assert sorted((f.name, f.owner_id, f.status, f.size) for f in stored) == [
        ("notes.md", path.owner, FileStatus.processing, len(NOTES)),
        ("report.pdf", path.owner, FileStatus.processing, len(PDF)),
    ]
    assert b"".join([piece async for piece in api.files.read(files[0].file_id)]) == NOTES
    admitted = await path.redis.zrange(keys.admitted(path.owner), 0, -1)
    assert sorted(member.decode() for member in admitted) == sorted(
        ingestion_job_id(f.file_id) for f in files
    )


async def test_a_failed_import_leaves_no_file_byte_or_admission(deps: tuple[AnswerPath, ApiDeps]) -> None:
    path, api = deps
    files = read_files([exported("notes.md", NOTES), exported("report.pdf", PDF, "old-2")])

    async def import_that_fails_after_storing() -> None:
        async with stored_files(api, path.owner, Limits(), files):
            assert len(await rows(path, [f.file_id for f in files])) == 2  # stored by now
            raise RuntimeError("the conversation could not be stored")

    with pytest.raises(RuntimeError, match="the conversation could not be stored"):
        await import_that_fails_after_storing()
    assert await rows(path, [f.file_id for f in files]) == []
    assert await blobs(path) == 0
    for file in files:
        with pytest.raises(FileMissing):
            await anext(api.files.read(file.file_id))
    if api.settings.file_store == "local":
        assert [p for p in path.settings.files_dir.rglob("*") if p.is_file()] == []
    assert await path.redis.zcard(keys.admitted(path.owner)) == 0
