from dataclasses import dataclass, field

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncEngine

from core.catalog import Catalog
from core.db import Sessionmaker
from core.eventlog import EventLog
from core.settings import Settings
from worker.checkpoints import Checkpoints
from worker.signals import Signals
from worker.upstream import Upstreams
from worker.writer import LogWriter


@dataclass
class WorkerDeps:
    """The clients a worker process makes once at start-up and every job shares (`ctx["deps"]`)."""

    settings: Settings
    redis: ArqRedis
    engine: AsyncEngine
    sessionmaker: Sessionmaker
    log: EventLog
    deltas: LogWriter
    checkpoints: Checkpoints
    catalog: Catalog
    upstreams: Upstreams
    signals: Signals
    fenced_jobs: set[str] = field(default_factory=set)
