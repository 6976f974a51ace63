"""`RelaychatWorker`: ARQ's worker with what relaychat changes, in one class."""

import asyncio
import functools
import logging
from datetime import UTC, datetime
from signal import Signals
from typing import Any

from arq import Retry, Worker, func
from arq.utils import timestamp_ms

from core import heartbeats, keys, metrics, status, tracing
from core.heap import settle_heap
from core.jobs import GENERATE, IMPORT, INGEST, LIST_TOOLS, TITLE
from core.logs import ANSWER_ID, configure_logging
from core.redis import WORKER_RETRIES, connect, deserialize_job, serialize_job, target_of
from core.settings import Settings
from core.tasks import cancel_and_wait
from core.tokens import counter_for
from worker import file_waits
from worker.claim import Claimed, claim, hold_claim, release
from worker.deps import WorkerDeps
from worker.generate import INFRASTRUCTURE, Ending, generate
from worker.imports import IMPORT_CLEANUP_SECONDS, import_conversations
from worker.ingestion import give_up, ingest_file
from worker.recover import keep_recovering
from worker.run import PICKED_UP
from worker.titles import make_title
from worker.tool_listing import list_mcp_tools

logger = logging.getLogger(__name__)

INFRASTRUCTURE_RETRY_SECONDS = 1
# What a file's reading ended with (worker/ingestion.py's results) as its metric's outcome; the rest
# ("already ready", …) found it read already.
INGESTED = {"ready": "ready", "failed": "failed", "deleted": "deleted", "deleted meanwhile": "deleted"}


def arq_options(settings: Settings) -> dict[str, Any]:
    """ARQ's own settings, from ours."""
    return {
        # One pool of ours, made as every other client is (on Sentinel's primary, when set).
        "redis_pool": connect(
            target_of(settings), settings.worker_concurrency + 16, "relaychat-worker", retries=WORKER_RETRIES
        ),
        "queue_name": keys.QUEUE,
        "max_jobs": settings.worker_concurrency,
        "job_timeout": settings.job_timeout_seconds,
        "poll_delay": settings.poll_delay_seconds,
        # Running jobs stay in the queue until they end, and each poll reads from its head: the
        # read must reach past every running job of the fleet to see new ones.
        "queue_read_limit": max(2000, 4 * settings.worker_concurrency),
        # Job ids are answer ids, never reused, and nobody reads ARQ results.
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
    - jobs are claimed in one call for all free slots, in the queue's fair order, within each
      owner's running limit (worker/claim.py), and the claim is kept short while a job runs;
    - when a job ends, the next waiting ones start at once, and its owner's slot is given back;
    - a job that ended fenced is not finished: its keys belong to the attempt that owns it;
    - an answer's job that waits for its files stays queued (parked), its slot given back, until
      a file's ingestion, as it ends, makes the answers waiting for it due (worker/file_waits.py).
    """

    def __init__(self, settings: Settings, **overrides: Any) -> None:
        self.settings = settings
        self._deps: WorkerDeps | None = None
        self._background: list[asyncio.Task[None]] = []
        self._fenced: set[str] = set()
        self._parked: set[str] = set()
        self._claims: dict[str, Claimed] = {}
        self._claiming = asyncio.Lock()
        self._filling: asyncio.Task[None] | None = None
        self._fill_again = False
        self._id = heartbeats.worker_id()
        self._metrics: asyncio.Server | None = None
        functions = [
            func(self._generate, name=GENERATE, max_tries=settings.max_attempts + 2),
            # One try, briefly: a title that cannot be made keeps the fallback the API set.
            func(self._make_title, name=TITLE, max_tries=1, timeout=settings.title_timeout_seconds + 10),
            func(self._list_mcp_tools, name=LIST_TOOLS, max_tries=1, timeout=60),
            # A worker killed while reading a file: the job runs again from the start.
            func(self._ingest_counted, name=INGEST, max_tries=settings.max_attempts, timeout=600),
            # A worker killed while writing an import: the next run deletes what it wrote, starts over.
            # One too slow fails by its own timeout, before ARQ's cancels it with nothing cleaned up.
            func(
                self._import,
                name=IMPORT,
                max_tries=settings.max_attempts,
                timeout=settings.import_write_timeout_seconds + IMPORT_CLEANUP_SECONDS,
            ),
        ]
        options = {**arq_options(settings), **overrides}
        super().__init__(functions, on_startup=self._start_up, on_shutdown=self._shut_down, **options)

    @property
    def deps(self) -> WorkerDeps:
        if self._deps is None:
            raise RuntimeError("the worker has not started")
        return self._deps

    async def _start_up(self, ctx: dict[Any, Any]) -> None:
        configure_logging("worker", self.settings.log_format)
        tracing.set_up("worker")  # when OTEL_EXPORTER_OTLP_ENDPOINT is set
        self._deps = deps = await WorkerDeps.open(self.settings, self.pool, self._wake)
        counter_for(deps.catalog.get(None))  # load the tokenizer now rather than in the first answer
        self._background = [
            asyncio.create_task(deps.signals.run()),
            asyncio.create_task(keep_recovering(deps)),
            asyncio.create_task(self._keep_beating()),
        ]
        await asyncio.wait_for(deps.signals.subscribed.wait(), timeout=10)
        await self._serve_metrics()
        settle_heap()
        served = ", ".join(f"{spec.id} at {spec.base_url or 'OpenAI'}" for spec in deps.catalog.models)
        logger.info("relaychat worker ready: %s", served)

    async def _shut_down(self, ctx: dict[Any, Any]) -> None:
        for task in self._background:
            await cancel_and_wait(task)
        if self._metrics is not None:
            self._metrics.close()
        try:
            await heartbeats.forget(self.pool, self._id)
        except Exception as error:
            logger.warning("could not say this worker stopped (its heartbeat will lapse): %r", error)
        if self._deps is not None:
            await self._deps.close()
        await asyncio.to_thread(tracing.shut_down)

    async def _keep_beating(self) -> None:
        """Say in Redis, every `worker_heartbeat_seconds`, that this worker is alive, with its
        slots and running jobs (core/heartbeats.py): `/health/ready` and the queue's metrics read it."""
        interval = self.settings.worker_heartbeat_seconds
        while True:
            try:
                await heartbeats.beat(self.pool, self._id, self.max_jobs, self.job_counter, interval)
                # The queue's depth and the running answers, into this minute (core/status.py).
                await status.sample(self.pool)
            except Exception as error:
                logger.warning("could not record this worker's heartbeat: %r", error)
            await asyncio.sleep(interval)

    async def _serve_metrics(self) -> None:
        """This worker's metrics at `metrics_host:metrics_port` (core/metrics.py), when a port is set."""
        settings = self.settings
        if not metrics.on or settings.metrics_port is None:
            return
        metrics.WORKER_SLOTS.set(self.max_jobs)
        metrics.WORKER_JOBS_RUNNING.set_function(lambda: self.job_counter)
        access = metrics.Access(settings.metrics_token, settings.metrics_allow)
        self._metrics = await metrics.serve(settings.metrics_host, settings.metrics_port, access)
        host, port = self._metrics.sockets[0].getsockname()[:2]
        logger.info("metrics at http://%s:%d/metrics", host, port)

    async def _ingest_counted(self, ctx: dict[Any, Any], file_id: str) -> str:
        """A file's reading (`_ingest_file`), counted by how it ended (`relaychat_file_ingestions_total`)."""
        try:
            ended = await self._ingest_file(ctx, file_id)
        except Exception:
            metrics.FILE_INGESTIONS.labels("error").inc()  # ARQ runs it again, within its tries
            raise
        metrics.FILE_INGESTIONS.labels(INGESTED.get(ended, "skipped")).inc()
        return ended

    async def _generate(self, ctx: dict[Any, Any], answer_id: str) -> str:
        job_id: str = ctx["job_id"]
        ANSWER_ID.set(answer_id)  # this job's task's own: its log lines carry it
        picked_up = (datetime.now(UTC) - ctx["enqueue_time"]).total_seconds()
        PICKED_UP.set(picked_up)  # with the time to ask the model, the first token's queue part
        pickup_ms = picked_up * 1000
        logger.info("answer %s: try %d picked up %.1f ms after enqueue", answer_id, ctx["job_try"], pickup_ms)
        # The answer's trace, from its start in the API (traces on): the job is a span of it.
        parent = await tracing.stored_parent(self.pool, answer_id) if tracing.on else None
        try:
            with tracing.span("answer.job", parent, answer_id=answer_id, job_try=ctx["job_try"]):
                ending = await generate(self.deps, answer_id)
                tracing.annotate(ending=ending.value)
        except INFRASTRUCTURE as error:
            # A raised error would end the job; Retry keeps it queued, and the next run finds the
            # answer as this one left it (and repairs a final row whose end is missing). The pause
            # is taken here, holding the slot: ARQ's deferral would replace the job's place in the
            # fair order with a time, behind every waiting job.
            logger.warning("answer %s: %s; the job runs again", answer_id, error)
            await asyncio.sleep(INFRASTRUCTURE_RETRY_SECONDS)
            raise Retry() from error
        if ending is Ending.fenced:
            self._fenced.add(job_id)
        if ending is Ending.waiting:
            self._parked.add(job_id)
        return ending.value

    def handle_sig(self, signum: Signals) -> None:
        # Stop taking jobs first: a job cancelled by the shutdown frees its slot, and the fill that
        # follows would claim it again here, only for that attempt to be cancelled too.
        self.allow_pick_jobs = False
        super().handle_sig(signum)

    async def _make_title(self, ctx: dict[Any, Any], conversation_id: str, regenerate: bool = False) -> str:
        return await make_title(self.deps, conversation_id, regenerate)

    async def _import(self, ctx: dict[Any, Any], import_id: str) -> str:
        return await import_conversations(self.deps, import_id)

    async def _list_mcp_tools(self, ctx: dict[Any, Any], server_id: str) -> str:
        return await list_mcp_tools(self.deps, server_id)

    async def _ingest_file(self, ctx: dict[Any, Any], file_id: str) -> str:
        try:
            ended = await ingest_file(self.deps, file_id)
        except Exception:
            if ctx["job_try"] < self.settings.max_attempts:
                raise
            logger.exception("file %s: its last try failed", file_id)
            ended = await give_up(self.deps, file_id)
        # Read, failed or gone: the answers waiting for the file go on (an error raised above
        # leaves it being read, and the job runs again).
        await file_waits.wake(self.pool, file_id, fair=self.settings.fair_dispatch)
        return ended

    async def _wake(self, job_id: str) -> None:
        if self.allow_pick_jobs and self.job_counter < self.max_jobs:
            await self._start([job_id.encode()], in_order=False)

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        # ARQ's poll, and a freed slot's fill: the queue's head, in order.
        await self._start(job_ids, in_order=True)

    async def _start(self, job_ids: list[bytes], *, in_order: bool) -> None:
        # One claim at a time in this process: each counts the slots the previous one left.
        # A job running here is never claimed again here: its claim may have vanished with a
        # Redis failover, and the running job's renewal sets it again.
        job_ids = [job_id for job_id in job_ids if job_id.decode() not in self._claims]
        async with self._claiming:
            free = self.max_jobs - self.job_counter
            ttl = self.settings.claim_ttl_seconds
            for claimed in await claim(self.pool, job_ids, free, ttl, in_order=in_order):
                await self.sem.acquire()
                self.job_counter += 1
                self._claims[claimed.job_id] = claimed
                task = asyncio.create_task(self._run_claimed(claimed))
                task.add_done_callback(lambda _: self._release_sem_dec_counter_on_complete())
                self.tasks[claimed.job_id] = task

    async def _run_claimed(self, claimed: Claimed) -> None:
        try:
            lost = functools.partial(self._lose, claimed.job_id)
            async with hold_claim(self.pool, claimed, self.settings.claim_ttl_seconds, lost):
                # ARQ's score argument only dates the start in its logs: the queue's are tags.
                await self.run_job(claimed.job_id, timestamp_ms())
        finally:
            self._claims.pop(claimed.job_id, None)
            self._fenced.discard(claimed.job_id)
            self._parked.discard(claimed.job_id)

    def _lose(self, job_id: str) -> None:
        """The job's claim expired unrenewed (Redis out of reach): another worker may run it now.
        The job is cancelled, which closes the model's stream, and ends as a fenced one does:
        its queue entry, claim and slot are left to whoever runs it next."""
        self._fenced.add(job_id)
        if (task := self.tasks.get(job_id)) is not None:
            task.cancel()

    def _release_sem_dec_counter_on_complete(self) -> None:
        # Not only when this worker was full: the ended job may have been what held its owner's
        # next one back. Jobs that end while a fill runs get one more fill after it.
        super()._release_sem_dec_counter_on_complete()
        if not self.allow_pick_jobs:
            return
        self._fill_again = True
        if self._filling is None or self._filling.done():
            self._filling = asyncio.create_task(self._fill_freed_slots())

    async def _fill_freed_slots(self) -> None:
        while self._fill_again:
            self._fill_again = False
            try:
                job_ids = await self.pool.zrangebyscore(
                    self.queue_name, min=float("-inf"), max=timestamp_ms(), start=0, num=self.queue_read_limit
                )
                await self.start_jobs(job_ids)
            except Exception as error:
                # The next poll starts the job: a failed early start is worth a line, not a crash.
                logger.warning("could not start a waiting job: %r", error)

    async def finish_job(self, job_id: str, finish: bool, *args: Any) -> None:
        if job_id in self._fenced:
            # ARQ would delete the job, its queue entry and its claim, and we would give back the
            # owner's slot: they belong to the newer attempt, which without them could not be
            # taken over if its own worker died.
            return
        if job_id in self._parked:
            # Waiting for its files: the job stays queued as `park` left it; its owner's running
            # slot is given back, not its admission (the answer still waits).
            await file_waits.unclaim(self.pool, job_id)
            await self._give_back(job_id, ended=False)
            return
        await super().finish_job(job_id, finish, *args)
        await self._give_back(job_id, ended=finish)

    async def finish_failed_job(self, job_id: str, result_data: bytes | None) -> None:
        await super().finish_failed_job(job_id, result_data)
        await self._give_back(job_id, ended=True)

    async def _give_back(self, job_id: str, *, ended: bool) -> None:
        if (claimed := self._claims.get(job_id)) is None:
            return
        try:
            await release(self.pool, claimed, ended=ended)
        except Exception as error:
            # The running slot expires with the claim; the sweep drops a stale admission.
            logger.warning("could not give back %s's slot: %r", job_id, error)
