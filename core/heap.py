"""What a long-running process does with the objects it made while starting, and its collector's pace."""

import gc

# Young collections after 10,000 net new objects rather than CPython's 700. Relaying thousands of
# events a second, every batch a relay read brings lived just long enough to be promoted, and
# every 1–2 s a full collection of the streams' objects paused every stream for 70–100 ms
# (docs/performance.md). Objects that die young are now freed by their reference counts first.
YOUNG_COLLECTION_THRESHOLD = 10_000


def settle_heap() -> None:
    """Move what start-up made (modules, the app, the tokenizer's vocabulary) out of the garbage
    collector's sight, and let the young generation grow before it is collected.

    These objects live as long as the process; the tokenizer alone is hundreds of thousands of
    them, and every full collection walked them all, pausing every stream for 30 to 130 ms.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, old)
