"""The clients a worker process makes once at start-up and every job shares."""

from dataclasses import dataclass

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncEngine

from core.catalog import Catalog, load_catalog
from core.db import Sessionmaker, make_engine, make_sessionmaker
from core.eventlog import EventLog
from core.files.store import FileStore, make_file_store
from core.migrate import check_schema
from core.redis import dedicated_connection, target_of
from core.secrets import SecretBox
from core.settings import Settings
from worker.checkpoints import Checkpoints
from worker.deltas import DeltaBatcher
from worker.embedder import Embedder
from worker.mcp_client import McpSessions
from worker.signals import Signals, WakeHandler
from worker.upstream import Upstreams


@dataclass(frozen=True)
class WorkerDeps:
    settings: Settings
    redis: ArqRedis
    engine: AsyncEngine
    sessionmaker: Sessionmaker
    log: EventLog
    deltas: DeltaBatcher
    checkpoints: Checkpoints
    catalog: Catalog
    upstreams: Upstreams
    signals: Signals
    secrets: SecretBox  # opens MCP servers' headers and environment
    mcp: McpSessions  # one open session per MCP server, shared by every tool call
    files: FileStore  # uploaded files' bytes, which ingestion reads
    embedder: Embedder | None  # the embedding model, when one is set: long documents ranked by meaning too

    @classmethod
    async def open(cls, settings: Settings, redis: ArqRedis, on_wake: WakeHandler) -> "WorkerDeps":
        """Check the schema, then make every client; `redis` is ARQ's pool, shared with ARQ."""
        await check_schema(settings.database_url)
        engine = make_engine(settings.database_url)
        sessionmaker = make_sessionmaker(engine)
        catalog = load_catalog(settings)
        log = EventLog(redis, settings.log_ttl_seconds)
        return cls(
            settings=settings,
            redis=redis,
            engine=engine,
            sessionmaker=sessionmaker,
            log=log,
            deltas=DeltaBatcher(log, settings.flush_interval_seconds),
            checkpoints=Checkpoints(sessionmaker, redis, settings.checkpoint_interval_seconds),
            catalog=catalog,
            upstreams=Upstreams(
                catalog, settings.upstream_connect_timeout_seconds, settings.upstream_idle_timeout_seconds
            ),
            signals=Signals(dedicated_connection(target_of(settings), "relaychat-signals"), on_wake),
            secrets=(secrets := SecretBox(settings.secrets_key)),
            mcp=McpSessions(secrets),
            files=make_file_store(settings.file_store, settings.files_dir, sessionmaker),
            embedder=Embedder.configured(settings),
        )

    async def close(self) -> None:
        await self.mcp.close()
        await self.checkpoints.close()
        await self.deltas.close()
        await self.signals.close()
        await self.upstreams.close()
        if self.embedder is not None:
            await self.embedder.close()
        await self.engine.dispose()
