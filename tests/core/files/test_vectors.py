"""core/files/vectors.py: vectors stored at unit length, the nearest chunks, rankings fused."""

import numpy as np
import pytest

from core.files.vectors import BadVector, fuse, nearest, pack


def test_a_vector_is_stored_at_unit_length_as_float32() -> None:
    stored = np.frombuffer(pack([3.0, 4.0]), dtype=np.float32)
    assert stored.tolist() == pytest.approx([0.6, 0.8])


@pytest.mark.parametrize("bad", [[], [0.0, 0.0], [1.0, float("nan")], [float("inf")], [[1.0], [2.0]]])
def test_what_is_no_vector_is_refused(bad: list[float]) -> None:
    with pytest.raises(BadVector):
        pack(bad)


def test_the_nearest_chunks_come_first_and_another_models_are_left_out() -> None:
    question = pack([1.0, 0.0, 0.0])
    chunks = [
        (1, pack([0.0, 1.0, 0.0])),  # unrelated
        (2, pack([1.0, 0.1, 0.0])),  # nearly the question
        (3, pack([1.0, 1.0, 0.0])),  # half-way
        (4, pack([1.0, 0.0])),  # another model's: another length
    ]
    assert nearest(question, chunks, limit=2) == [2, 3]
    assert nearest(question, chunks, limit=10) == [2, 3, 1]
    assert nearest(question, [], limit=3) == []


def test_fusing_rewards_what_both_rankings_hold() -> None:
    by_words = [10, 20, 30]
    by_meaning = [30, 40, 10]
    fused = fuse(by_words, by_meaning)
    assert fused[:2] == [10, 30]  # in both, near the top of each
    assert set(fused) == {10, 20, 30, 40}
    assert fuse([], [5, 6]) == [5, 6]  # no word matched: meaning alone decides
