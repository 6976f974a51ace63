"""Chunk and question vectors as stored (unit length, float32 bytes), the chunks nearest a question,
and two rankings fused into one (reciprocal rank fusion)."""

from collections.abc import Sequence

import numpy as np

MAX_DIMENSIONS = 8192
"""More than any embedding model has: a vector past it is a server's mistake, not stored."""
RRF_K = 60
"""Reciprocal rank fusion's constant (Cormack et al.): a rank's weight is 1 / (RRF_K + rank)."""


class BadVector(ValueError):
    """What an embedding server returned is no vector this can store."""


def pack(vector: Sequence[float]) -> bytes:
    """A vector as stored: scaled to unit length (a dot product is then its cosine), float32."""
    array = np.asarray(vector, dtype=np.float32)
    if array.ndim != 1 or not 0 < array.size <= MAX_DIMENSIONS or not np.isfinite(array).all():
        raise BadVector(f"not a vector of 1 to {MAX_DIMENSIONS} finite numbers")
    norm = float(np.linalg.norm(array))
    if norm == 0:
        raise BadVector("a vector of zeros has no direction")
    return (array / norm).astype(np.float32).tobytes()


def nearest(question: bytes, chunks: Sequence[tuple[int, bytes]], limit: int) -> list[int]:
    """The ids of the `limit` chunks whose vectors are nearest the question's, nearest first (a
    chunk whose vector has another length, from another model, is left out)."""
    wanted = np.frombuffer(question, dtype=np.float32)
    same = [(chunk_id, vector) for chunk_id, vector in chunks if len(vector) == len(question)]
    if not same:
        return []
    matrix = np.frombuffer(b"".join(vector for _, vector in same), dtype=np.float32).reshape(len(same), -1)
    scores = matrix @ wanted
    order = np.argsort(-scores, kind="stable")[:limit]
    return [same[int(i)][0] for i in order]


def fuse(*rankings: Sequence[int]) -> list[int]:
    """One ranking from several (ids, best first): each id scores 1 / (RRF_K + rank) in each
    ranking it is in; ties keep the first ranking's order."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(scores, key=lambda item: -scores[item])
