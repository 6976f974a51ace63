"""`RelaychatWorker`: ARQ's worker with what relaychat changes, in one class."""

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from arq import Retry, Worker, func
from arq.constants import in_progress_key_prefix
from arq.utils import timestamp_ms

from core import keys
from core.heap import settle_heap
from core.jobs import GENERATE, TITLE
from core.logs import configure_logging
from core.redis import arq_settings, deserialize_job, serialize_job
from core.settings import Settings
from core.tasks import cancel_and_wait
from core.tokens import counter_for
from worker.claim import hold_claim
from worker.deps import WorkerDeps
from worker.generate import INFRASTRUCTURE, Ending, generate
from worker.recover import keep_recovering
from worker.titles import make_title

logger = logging.getLogger(__name__)

INFRASTRUCTURE_RETRY_SECONDS = 1


def arq_options(settings: Settings) -> dict[str, Any]:
    """ARQ's own settings, from ours."""
    return {
        "redis_settings": arq_settings(settings.redis_url),
        "queue_name": keys.QUEUE,
        "max_jobs": settings.worker_concurrency,
        "job_timeout": settings.job_timeout_seconds,
        "poll_delay": settings.poll_delay_seconds,
        # Running jobs stay in the queue until they end, and each poll reads from its head: the
        # read must reach past every running job of the fleet to see new ones.
        "queue_read_limit": max(2000, 4 * settings.worker_concurrency),
        # Job ids are message ids, never reused, and nobody reads ARQ results.
        "keep_result": 0,
        "job_serializer": serialize_job,
        "job_deserializer": deserialize_job,
        "health_check_interval": 10,
    }


class RelaychatWorker(Worker):
    """ARQ's `Worker`, changed where relaychat needs it:

    - its start-up builds the worker's clients (`WorkerDeps`), the pub/sub listener and the
      recovery sweep, and its shutdown closes them;
    - a wake-up published after an enqueue starts that job at once (the poll is the fallback);
    - the poll skips running jobs with one MGET before ARQ checks the rest one by one;
    - when a full worker finishes a job, the next waiting one starts at once;
    - a job that ended fenced is not finished: its keys belong to the attempt that owns it.
    """

    def __init__(self, settings: Settings, **overrides: Any) -> None:
        self.settings = settings
        self._deps: WorkerDeps | None = None
        self._background: list[asyncio.Task[None]] = []
        self._fenced: set[str] = set()
        self._filling: set[asyncio.Task[None]] = set()
        functions = [
            func(self._generate, name=GENERATE, max_tries=settings.max_attempts + 2),
            # One try, briefly: a title that cannot be made keeps the fallback the API set.
            func(self._make_title, name=TITLE, max_tries=1, timeout=settings.title_timeout_seconds + 10),
        ]
        options = {**arq_options(settings), **overrides}
        super().__init__(functions, on_startup=self._start_up, on_shutdown=self._shut_down, **options)

    @property
    def deps(self) -> WorkerDeps:
        if self._deps is None:
            raise RuntimeError("the worker has not started")
        return self._deps

    async def _start_up(self, ctx: dict[Any, Any]) -> None:
        configure_logging()
        self._deps = deps = await WorkerDeps.open(self.settings, self.pool, self._wake)
        counter_for(deps.catalog.get(None))  # load the tokenizer now rather than in the first answer
        self._background = [
            asyncio.create_task(deps.signals.run()),
            asyncio.create_task(keep_recovering(deps)),
        ]
        await asyncio.wait_for(deps.signals.subscribed.wait(), timeout=10)
        settle_heap()
        served = ", ".join(f"{spec.id} at {spec.base_url or 'OpenAI'}" for spec in deps.catalog.models)
        logger.info("relaychat worker ready: %s", served)

    async def _shut_down(self, ctx: dict[Any, Any]) -> None:
        for task in self._background:
            await cancel_and_wait(task)
        if self._deps is not None:
            await self._deps.close()

    async def _generate(self, ctx: dict[Any, Any], message_id: str) -> str:
        job_id: str = ctx["job_id"]
        pickup_ms = (datetime.now(UTC) - ctx["enqueue_time"]).total_seconds() * 1000
        logger.info(
            "answer %s: try %d picked up %.1f ms after enqueue", message_id, ctx["job_try"], pickup_ms
        )
        try:
            async with hold_claim(self.pool, job_id, self.settings.claim_ttl_seconds):
                ending = await generate(self.deps, message_id)
        except INFRASTRUCTURE as error:
            # A raised error would end the job; Retry keeps it queued, and the next run finds the
            # answer as this one left it (and repairs a final row whose end is missing).
            logger.warning("answer %s: %s; the job runs again", message_id, error)
            raise Retry(defer=INFRASTRUCTURE_RETRY_SECONDS) from error
        if ending is Ending.fenced:
            self._fenced.add(job_id)
        return ending.value

    async def _make_title(self, ctx: dict[Any, Any], conversation_id: str, regenerate: bool = False) -> str:
        return await make_title(self.deps, conversation_id, regenerate)

    async def _wake(self, job_id: str) -> None:
        if self.allow_pick_jobs and self.job_counter < self.max_jobs:
            await self.start_jobs([job_id.encode()])

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        # ARQ checks each id with a WATCH transaction of three round trips; with hundreds of
        # answers running (they stay in the queue until they end) that was most of an idle poll.
        if len(job_ids) > 1:
            claims = await self.pool.mget([in_progress_key_prefix + job_id.decode() for job_id in job_ids])
            job_ids = [job_id for job_id, claim in zip(job_ids, claims, strict=True) if claim is None]
        await super().start_jobs(job_ids)

    def _release_sem_dec_counter_on_complete(self) -> None:
        was_full = self.job_counter >= self.max_jobs
        super()._release_sem_dec_counter_on_complete()
        if was_full and self.allow_pick_jobs and not self._filling:
            task = asyncio.create_task(self._fill_freed_slot())
            self._filling.add(task)
            task.add_done_callback(self._filling.discard)

    async def _fill_freed_slot(self) -> None:
        try:
            job_ids = await self.pool.zrangebyscore(
                self.queue_name, min=float("-inf"), max=timestamp_ms(), start=0, num=self.queue_read_limit
            )
            await self.start_jobs(job_ids)
        except Exception as error:
            # The next poll starts the job: a failed early start is worth a line, not a crash.
            logger.warning("could not start a waiting job: %r", error)

    async def finish_job(self, job_id: str, *args: Any) -> None:
        if job_id in self._fenced:
            # ARQ would delete the job, its queue entry and its claim: they belong to the newer
            # attempt, which without them could not be taken over if its own worker died.
            self._fenced.discard(job_id)
            return
        await super().finish_job(job_id, *args)
