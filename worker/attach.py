"""What relaychat adds to the stock ARQ `Worker` it runs in: wake-ups, and hands off fenced jobs."""

import asyncio
from typing import Any

from arq import Worker

from worker.signals import WakeHandler


def running_worker() -> Worker:
    """The ARQ Worker whose start-up hook is running.

    ARQ's CLI builds a stock `Worker` and hands hooks only `ctx`; the worker is `self` of the
    `Worker.main` coroutine that awaits `on_startup`, which is the current task.
    """
    task = asyncio.current_task()
    frame = getattr(task.get_coro(), "cr_frame", None) if task else None
    worker = frame.f_locals.get("self") if frame else None
    if not isinstance(worker, Worker):
        raise RuntimeError("on_startup must run inside an ARQ Worker")
    return worker


def wake_handler(worker: Worker) -> WakeHandler:
    async def wake(message_id: str) -> None:
        # The stock poll only looks every `poll_delay`; a wake-up starts the new job right away.
        if worker.allow_pick_jobs and worker.job_counter < worker.max_jobs:
            await worker.start_jobs([message_id.encode()])

    return wake


def leave_fenced_jobs_alone(worker: Worker, fenced: set[str]) -> None:
    """When a stale run ends fenced out, ARQ must not finish its job.

    ARQ would delete the job, its queue entry and its claim; they belong to the newer attempt
    that is still running elsewhere, and without them that attempt could not be taken over if
    its own worker died.
    """
    finish_job = worker.finish_job

    async def finish_unless_fenced(job_id: str, *args: Any) -> None:
        if job_id in fenced:
            fenced.discard(job_id)
            return
        await finish_job(job_id, *args)

    worker.finish_job = finish_unless_fenced  # type: ignore[method-assign, assignment]
