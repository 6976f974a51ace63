"""What relaychat adds to the stock ARQ `Worker` it runs in: wake-ups, a cheaper poll, freed slots
filled at once, and fenced jobs left to the attempt that owns them."""

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from arq import Worker
from arq.constants import in_progress_key_prefix
from arq.utils import timestamp_ms

from worker.signals import WakeHandler

logger = logging.getLogger(__name__)


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


def start_only_waiting_jobs(worker: Worker) -> None:
    """Check the queue's head with one MGET before ARQ checks it id by id.

    Running jobs stay in the queue until they end, and ARQ's poll examines every id it reads
    with a WATCH transaction of three round trips: with hundreds of answers running, that was
    most of an idle poll. Ids whose claim is held are skipped here; ARQ still checks the rest.
    """
    start_jobs = worker.start_jobs

    async def start_waiting(job_ids: list[bytes]) -> None:
        if len(job_ids) > 1:
            claims = await worker.pool.mget([in_progress_key_prefix + job_id.decode() for job_id in job_ids])
            job_ids = [job_id for job_id, claim in zip(job_ids, claims, strict=True) if claim is None]
        await start_jobs(job_ids)

    worker.start_jobs = start_waiting  # type: ignore[method-assign]


def fill_freed_slots(worker: Worker) -> None:
    """When a full worker finishes a job, start the next waiting one now rather than at the next poll."""
    release = worker._release_sem_dec_counter_on_complete
    filling: set[asyncio.Task[None]] = set()

    async def fill() -> None:
        job_ids = await worker.pool.zrangebyscore(
            worker.queue_name, min=float("-inf"), max=timestamp_ms(), start=0, num=worker.queue_read_limit
        )
        await worker.start_jobs(job_ids)

    def release_and_fill() -> None:
        was_full = worker.job_counter >= worker.max_jobs
        release()
        if was_full and worker.allow_pick_jobs and not filling:
            task = asyncio.create_task(fill())
            filling.add(task)
            task.add_done_callback(_forget(filling))

    worker._release_sem_dec_counter_on_complete = release_and_fill  # type: ignore[method-assign]


def _forget(tasks: set[asyncio.Task[None]]) -> Callable[[asyncio.Task[None]], None]:
    def done(task: asyncio.Task[None]) -> None:
        tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The next stock poll picks the job up: a failed early pick is worth a line, not a crash.
            logger.warning("could not start a waiting job: %r", task.exception())

    return done
