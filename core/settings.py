"""The one settings object, read from the environment and `.env`."""

from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path("data")


class Settings(BaseSettings):
    """Everything configurable, read from the environment and `.env`.

    The five names that other tools also use (`REDIS_URL`, `DATABASE_URL`, `OPENAI_BASE_URL`,
    `OPENAI_API_KEY`, `RELAYCHAT_MODEL`) are enough to run against any OpenAI-compatible server;
    the rest are `RELAYCHAT_*` knobs with production defaults.
    """

    model_config = SettingsConfigDict(env_prefix="RELAYCHAT_", env_file=".env", extra="ignore")

    redis_url: str = Field("redis://127.0.0.1:6379/0", validation_alias="REDIS_URL")
    redis_sentinels: str = Field("", validation_alias="REDIS_SENTINELS")
    """`host:port,…` of Redis Sentinels: set, they name the primary, and `REDIS_URL` is not used."""
    redis_sentinel_master: str = Field("mymaster", validation_alias="REDIS_SENTINEL_MASTER")
    redis_password: str | None = Field(None, validation_alias="REDIS_PASSWORD")
    """The primary's password with Sentinel (with `REDIS_URL`, the URL carries it)."""
    redis_sentinel_password: str | None = Field(None, validation_alias="REDIS_SENTINEL_PASSWORD")
    database_url: str = Field(
        f"sqlite+aiosqlite:///{DATA_DIR / 'relaychat.db'}", validation_alias="DATABASE_URL"
    )
    openai_base_url: str | None = Field(None, validation_alias="OPENAI_BASE_URL")
    openai_api_key: str | None = Field(None, validation_alias="OPENAI_API_KEY")
    model: str | None = None
    """The default model (`RELAYCHAT_MODEL`); unset, the catalog's first model."""
    models_file: Path | None = None
    """A TOML models file (see core/catalog.py); unset, the models come from the environment."""
    local_model_url: str | None = None
    """Set by `relaychat up` when it runs the local model server."""

    web_dist: Path = Path("web/dist")
    """The built web UI, served at `/`."""

    context_window: int = 8192
    max_answer_tokens: int = 1024
    max_message_chars: int = 32_000
    max_import_bytes: int = 50_000_000
    """The most an import's body may hold, its files (base64) included: a file as large as an upload
    may be, with room for its conversation. It is read in memory, about three times its size at peak."""
    max_body_bytes: int = 4_000_000
    """The most any request's body may hold (an import's: `max_import_bytes`), enforced as it
    streams in, before anything else runs."""
    header_timeout_seconds: float = 10.0
    """How long a request's head (its line and headers) may take to arrive (api/server.py)."""
    body_timeout_seconds: float = 30.0
    """How long a request's body may take to arrive, from its first byte to its last."""
    max_streams_per_user: int = 50
    """Streams one user may hold open on one API process (answers, `/v1`, updates)."""
    max_import_messages: int = 10_000
    max_import_files: int = 100
    """The most files an import may bring (each within `max_upload_mb`, all within the body's limit
    and the importer's storage quota)."""
    max_import_conversations: int = 5_000
    """The most conversations another app's export (ChatGPT's, Open WebUI's) may bring at once."""
    max_import_total_messages: int = 200_000
    """The most messages another app's export may bring, all its conversations together (each
    conversation within `max_import_messages`)."""
    max_import_zip_entries: int = 20_000
    """The most files a zip (ChatGPT's data export) may list; only its conversations.json is
    unzipped, at most `max_import_bytes` of it."""
    import_job_conversations: int = 20
    """Another app's export with more conversations than this imports as a job, with progress."""
    import_job_bytes: int = 1_000_000
    """Another app's export whose JSON is larger than this imports as a job, with progress."""
    import_write_timeout_seconds: float = 1500.0
    """A job import's writing past this many seconds fails (what it wrote deleted, a sentence):
    ARQ's timeout for the job is this plus the time to clean up, so ARQ never cancels it half-way."""

    redis_pool_size: int = 32
    worker_concurrency: int = 500
    poll_delay_seconds: float = 1.0
    claim_ttl_seconds: float = 10.0
    job_timeout_seconds: int = 1800
    max_attempts: int = 3
    fair_dispatch: bool = True
    """Waiting answers start in turns across users; false: first in, first out, as ARQ does."""
    recover_interval_seconds: float = 15.0
    recover_grace_seconds: float = 10.0

    flush_interval_seconds: float = 0.02
    checkpoint_interval_seconds: float = 1.0
    log_ttl_seconds: int = 900
    heartbeat_seconds: float = 15.0

    upstream_retries: int = 3
    upstream_retry_base_seconds: float = 0.5
    upstream_connect_timeout_seconds: float = 10.0
    upstream_idle_timeout_seconds: float = 60.0

    title_timeout_seconds: float = 20.0
    """How long the title job waits for the model before keeping the fallback title."""

    metrics: bool = True
    """Prometheus metrics: every API process serves its own at `/metrics`, every worker its own at
    `metrics_port`. False: nothing is counted and nothing served (what they cost is measured so)."""
    metrics_token: str | None = None
    """A bearer token that may read `/metrics` from anywhere (`Authorization: Bearer …`)."""
    metrics_allow: str = "127.0.0.1/32,::1/128"
    """The networks that may read `/metrics` without the token, comma-separated CIDRs; the loopback
    by default. A request that came through a proxy (it names a forwarded address) needs the token."""
    metrics_port: int | None = None
    """A worker's metrics port (`GET /metrics` on `metrics_host`); unset: a worker serves none.
    0: any free port, named in the worker's log. `relaychat up` gives its Nth worker this + N - 1."""
    metrics_host: str = "127.0.0.1"
    """The address a worker's metrics port listens on."""
    worker_heartbeat_seconds: float = 5.0
    """How often a worker says it is alive (in Redis); it counts as alive for three times this."""
    log_format: Literal["text", "json"] = "text"
    """`json`: one JSON object a line (time, level, logger, process, pid, message, and the request
    id, answer id and attempt where they apply); `text`: lines for a person."""

    session_idle_days: float = 30.0
    """A sign-in ends after this long without a request (sliding: every use extends it)."""

    allowed_hosts: str = "localhost,127.0.0.1,::1"
    """The host names the API answers to, comma-separated (`*.example.com` and `*` too). A request
    naming another is refused, so a web page cannot reach a local instance by DNS rebinding."""
    trusted_proxies: str = ""
    """The reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed,
    comma-separated addresses or networks; none by default (docs/deployment.md)."""

    max_sign_ins_per_user: int = 20
    """Browsers one user may be signed in from; a new sign-in past it ends the oldest."""
    secrets_key: str | None = None
    """Seals the secrets relaychat keeps (an MCP server's headers and environment): a Fernet key
    (`relaychat secrets-key`). Without one, such secrets cannot be stored."""
    max_tool_steps: int = 8
    """Rounds of tool calls an answer may make; the last round offers the model no tools."""
    tool_timeout_seconds: float = 60.0
    """How long a tool call may run before it ends with an error result."""

    max_upload_mb: float = 25.0
    """The largest file an upload may bring, enforced as it streams in."""
    file_store: Literal["local", "database"] = "local"
    """Where files' bytes live: a directory (`files_dir`), or the database (what many hosts share
    with nothing else to run)."""
    files_dir: Path = DATA_DIR / "files"
    embedding_model: str | None = None
    """The model whose vectors rank a long document's chunks by meaning beside BM25, served at
    `embedding_base_url` (OpenAI's `/embeddings`); none: BM25 alone."""
    embedding_base_url: str | None = None
    """Its server (OpenAI-compatible); none: OpenAI's API."""
    embedding_api_key_env: str | None = "OPENAI_API_KEY"
    """The variable that holds its key."""
    embedding_price: float = Field(0.0, ge=0)
    """US dollars per million tokens it reads, counted in its owner's usage."""

    @property
    def session_idle(self) -> timedelta:
        return timedelta(days=self.session_idle_days)


@lru_cache
def get_settings() -> Settings:
    return Settings()
