"""Ids: UUIDv7 strings, which sort by creation time."""

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_seq = 0


def new_id() -> str:
    """A UUIDv7: sorts by creation time, and strictly increases within one process.

    Messages are ordered by id, so the user message and its answer, made in the same
    millisecond, must still sort in the order they were made.
    """
    global _last_ms, _seq
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms, _seq = ms, int.from_bytes(os.urandom(2), "big") & 0x3FF
        else:
            _seq += 1
            if _seq > 0xFFF:
                _last_ms, _seq = _last_ms + 1, 0
        ms = _last_ms
        seq = _seq
    value = (ms & (2**48 - 1)) << 80
    value |= 0x7 << 76
    value |= seq << 64
    value |= 0b10 << 62
    value |= int.from_bytes(os.urandom(8), "big") & (2**62 - 1)
    return str(uuid.UUID(int=value))
