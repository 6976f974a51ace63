"""A long document's parts chosen by meaning too: with an embedding model set, the chunks nearest
the question's vector fused with those that best match its words (BM25), before the prompt is built."""

import logging
from dataclasses import replace

from sqlalchemy.orm import defer
from sqlmodel import col, select

from core.db import read_only
from core.failures import AnswerFailure
from core.files.retrieval import MAX_RANKED
from core.files.vectors import fuse, nearest
from core.models import FileChunk, StoredFile
from worker.answers import Found
from worker.deps import WorkerDeps
from worker.documents import Document
from worker.job_usage import record_job_usage

logger = logging.getLogger(__name__)


async def rank_by_meaning(deps: WorkerDeps, found: Found) -> Found:
    """`found` with each document shown in parts given the parts best by meaning and by words
    together, when the embedding model made its vectors; as it was otherwise, and when the
    model's server fails (the words alone still chose)."""
    embedder = deps.embedder
    question = found.question.content.strip() if found.question else ""
    in_parts = [document.file_id for document in found.documents if document.ranked]
    if embedder is None or not in_parts or not question:
        return found
    async with deps.sessionmaker() as session:
        await read_only(session)
        embedded_ids = set(
            await session.exec(
                select(StoredFile.id).where(
                    col(StoredFile.id).in_(in_parts), StoredFile.embedded_with == embedder.spec.id
                )
            )
        )
    if not embedded_ids:
        return found
    try:
        embedded = await embedder.embed([question])
    except AnswerFailure as failure:
        logger.warning("answer %s: parts chosen by words alone: %s", found.answer.id, failure)
        return found
    if found.conversation.owner_id:
        await record_job_usage(deps, found.conversation.owner_id, "embedding", embedder.spec, embedded.tokens)
    documents: list[Document] = []
    async with deps.sessionmaker() as session:
        await read_only(session)
        for document in found.documents:
            if document.file_id not in embedded_ids:
                documents.append(document)
                continue
            vectors = await session.exec(
                select(FileChunk.id, FileChunk.embedding).where(
                    FileChunk.file_id == document.file_id, col(FileChunk.embedding).is_not(None)
                )
            )
            stored = [(i, vector) for i, vector in vectors if i is not None and vector]
            near = nearest(embedded.vectors[0], stored, MAX_RANKED)
            # The words' ranking, and its chunks, as the answer's read found them: not asked again.
            by_id = {chunk.id: chunk for chunk in document.chunks if document.matched}
            order = fuse([i for i in by_id if i is not None], near)[:MAX_RANKED]
            if missing := [i for i in order if i not in by_id]:
                rows = await session.exec(
                    select(FileChunk)
                    .where(col(FileChunk.id).in_(missing))
                    .options(defer(FileChunk.embedding))  # type: ignore[arg-type]
                )
                by_id |= {chunk.id: chunk for chunk in rows}
            documents.append(replace(document, chunks=[by_id[i] for i in order if i in by_id]))
    return replace(found, documents=documents)
