"""ARQ entry point: `arq worker.main.WorkerSettings` (or `relaychat worker`)."""

import asyncio
import logging
from typing import Any, ClassVar

import uvloop
from arq import func

from core import keys
from core.catalog import load_catalog
from core.db import make_engine, make_sessionmaker
from core.eventlog import EventLog
from core.heap import settle_heap
from core.jobs import GENERATE, TITLE
from core.logs import configure_logging
from core.migrate import check_schema
from core.redis import arq_settings, dedicated_connection, deserialize_job, serialize_job
from core.settings import get_settings
from core.tasks import cancel_and_wait
from core.tokens import counter_for
from worker.attach import (
    fill_freed_slots,
    leave_fenced_jobs_alone,
    running_worker,
    start_only_waiting_jobs,
    wake_handler,
)
from worker.checkpoints import Checkpoints
from worker.deps import WorkerDeps
from worker.generate import generate
from worker.recover import keep_recovering
from worker.signals import Signals
from worker.titles import make_title
from worker.upstream import Upstreams
from worker.writer import LogWriter

logger = logging.getLogger(__name__)
settings = get_settings()

# ARQ's CLI makes its loop with asyncio.get_event_loop() after importing this module: uvloop's
# loop, as uvicorn uses for the API, costs the worker about a tenth less CPU per answer.
asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


async def startup(ctx: dict[str, Any]) -> None:
    configure_logging()
    await check_schema(settings.database_url)
    engine = make_engine(settings.database_url)
    sessionmaker = make_sessionmaker(engine)
    catalog = load_catalog(settings)
    worker = running_worker()
    log = EventLog(ctx["redis"], settings.log_ttl_seconds)
    signals = Signals(dedicated_connection(settings.redis_url, "relaychat-signals"), wake_handler(worker))
    deps = WorkerDeps(
        settings=settings,
        redis=ctx["redis"],
        engine=engine,
        sessionmaker=sessionmaker,
        log=log,
        deltas=LogWriter(log, settings.flush_interval_seconds),
        checkpoints=Checkpoints(sessionmaker, ctx["redis"], settings.checkpoint_interval_seconds),
        catalog=catalog,
        upstreams=Upstreams(
            catalog, settings.upstream_connect_timeout_seconds, settings.upstream_idle_timeout_seconds
        ),
        signals=signals,
    )
    leave_fenced_jobs_alone(worker, deps.fenced_jobs)
    start_only_waiting_jobs(worker)
    fill_freed_slots(worker)
    counter_for(catalog.get(None))  # load the tokenizer now rather than in the first answer
    ctx["deps"] = deps
    ctx["background"] = [asyncio.create_task(signals.run()), asyncio.create_task(keep_recovering(deps))]
    await asyncio.wait_for(signals.subscribed.wait(), timeout=10)
    settle_heap()
    served = ", ".join(f"{spec.id} at {spec.base_url or 'OpenAI'}" for spec in catalog.models)
    logger.info("relaychat worker ready: %s", served)


async def shutdown(ctx: dict[str, Any]) -> None:
    for task in ctx.get("background", []):
        await cancel_and_wait(task)
    deps: WorkerDeps | None = ctx.get("deps")
    if deps:
        await deps.checkpoints.close()
        await deps.deltas.close()
        await deps.signals.close()
        await deps.upstreams.close()
        await deps.engine.dispose()


class WorkerSettings:
    functions: ClassVar = [
        func(generate, name=GENERATE, max_tries=settings.max_attempts + 2),
        # One try, briefly: a title that cannot be made keeps the fallback the API set.
        func(make_title, name=TITLE, max_tries=1, timeout=settings.title_timeout_seconds + 10),
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = arq_settings(settings.redis_url)
    queue_name = keys.QUEUE
    max_jobs = settings.worker_concurrency
    job_timeout = settings.job_timeout_seconds
    poll_delay = settings.poll_delay_seconds
    # Running jobs stay in the queue until they end, and each poll reads from its head: the read
    # must reach past every running job of the fleet to see new ones.
    queue_read_limit = max(2000, 4 * settings.worker_concurrency)
    # Job ids are message ids, never reused, and nobody reads ARQ results.
    keep_result = 0
    job_serializer = serialize_job
    job_deserializer = deserialize_job
    health_check_interval = 10
