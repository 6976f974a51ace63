"""The worker's entry points: `python -m worker` (what `relaychat worker` runs), and ARQ's CLI."""

import asyncio
import logging.config
import os
import sys
from typing import Any, ClassVar

import uvloop
from arq import func
from arq.logs import default_log_config

from core import keys, metrics
from core.logs import configure_logging
from core.redis import arq_settings, target_of
from core.settings import get_settings
from worker.arq_worker import RelaychatWorker


def run() -> None:
    """Run one RelaychatWorker until SIGINT or SIGTERM."""
    # uvloop, as uvicorn uses for the API: less CPU per answer (docs/performance.md).
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    settings = get_settings()
    if settings.log_format == "json":
        configure_logging("worker", "json")  # ARQ's lines too, through the same JSON handler
    else:
        logging.config.dictConfig(default_log_config(verbose=False))
    if not settings.metrics:
        metrics.turn_off()
    RelaychatWorker(settings).run()


async def _hand_over(ctx: dict[Any, Any]) -> None:
    """Replace this process, a stock ARQ worker, with `python -m worker`, keeping its pid."""
    os.execv(sys.executable, [sys.executable, "-m", "worker"])


class WorkerSettings:
    """`arq worker.main.WorkerSettings`: ARQ's CLI can only build its stock `Worker`, so its
    start-up hands the process over to `python -m worker` before it polls: the same pid (signals
    and supervisors are unaffected) now runs `RelaychatWorker`. ARQ's CLI options do not carry over.
    """

    functions: ClassVar = [func(_hand_over, name="hand_over")]  # ARQ needs one; it never runs as a job
    on_startup = _hand_over
    redis_settings = arq_settings(target_of(get_settings()))
    queue_name = keys.QUEUE
