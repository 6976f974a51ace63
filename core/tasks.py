"""Cancelling a background task and waiting until it has stopped."""

import asyncio
import contextlib
from typing import Any


async def cancel_and_wait(task: "asyncio.Task[Any]") -> None:
    """Cancel a background task and wait until it has really stopped.

    Its own CancelledError is expected and swallowed; a cancellation of the caller still propagates.
    """
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait({task})
    if not task.cancelled() and task.exception() is not None:
        task.exception()  # retrieved: a failure during shutdown is not worth a "never retrieved" warning
