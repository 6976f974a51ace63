"""The collector's pace after start-up (no processes)."""

import gc
from collections.abc import Iterator

import pytest

from core.heap import YOUNG_COLLECTION_THRESHOLD, settle_heap


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_a_relay_reads_worth_of_short_lived_objects_no_longer_triggers_a_collection(
    restored_collector: None,
) -> None:
    # The regression: with CPython's 700, each relay read's events were collected while in flight,
    # promoted, and every second or two a full collection paused every stream for ~100 ms.
    settle_heap()
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(count)
    try:
        batch = [{"id": n, "data": [n]} for n in range(YOUNG_COLLECTION_THRESHOLD // 3)]
    finally:
        gc.callbacks.remove(count)
    assert len(batch) * 2 > 700  # what CPython's default would have collected several times
    assert collections == []
