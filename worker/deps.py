from dataclasses import dataclass, field

from arq.connections import ArqRedis
from openai import AsyncOpenAI
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import Sessionmaker
from core.eventlog import EventLog
from core.settings import Settings
from worker.signals import Signals


@dataclass
class WorkerDeps:
    """The clients a worker process makes once at start-up and every job shares (`ctx["deps"]`)."""

    settings: Settings
    redis: ArqRedis
    engine: AsyncEngine
    sessionmaker: Sessionmaker
    log: EventLog
    upstream: AsyncOpenAI
    signals: Signals
    fenced_jobs: set[str] = field(default_factory=set)
