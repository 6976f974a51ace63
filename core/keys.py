"""Every Redis key and channel relaychat uses, in one place, under one prefix (ARQ keeps its own)."""

from arq.constants import in_progress_key_prefix, job_key_prefix, result_key_prefix, retry_key_prefix

PREFIX = "relaychat:"

QUEUE = PREFIX + "queue"
"""ARQ's queue (a sorted set of job ids); the job keys themselves are ARQ's own, below."""

WAKE_CHANNEL = PREFIX + "wake"
"""Published with an answer's id after its job is enqueued, so an idle worker starts it at once."""

STOP_CHANNEL = PREFIX + "cancel"
"""Published with an answer's id when a user stops it. The names on the wire (`cancel`) are those
from before Stop had its name: processes of both versions meet during a rolling upgrade."""

UPDATES_CHANNEL = PREFIX + "updates"
"""Published with `{"conversation_id", "change"}` when a conversation changes outside its answers'
streams (a generated title); every API process relays it to its browsers (`GET /api/updates`)."""

AUTH_CHANNEL = PREFIX + "auth"
"""Published with `{"user_id"}`, `{"session_id"}` (a sign-in's) or `{"key_id"}` when a sign-in or key
is revoked or a user changed (role, status, deleted): every API process forgets it and ends its
open streams (core/revocations.py)."""

WORKERS = PREFIX + "workers"
"""Set: the ids of the workers that said they were alive (`host:pid`); each one's heartbeat is
`worker(id)`, and a worker drops the ids whose heartbeat has lapsed (core/heartbeats.py)."""

WORKER_PREFIX = PREFIX + "worker:"


def worker(worker_id: str) -> str:
    """String, expiring unless renewed: a worker's heartbeat, with its slots and running jobs (JSON)."""
    return WORKER_PREFIX + worker_id


def log(answer_id: str) -> str:
    """Stream: the answer's event log (delta, reset, usage, and one terminal event)."""
    return f"{PREFIX}log:{answer_id}"


def answer_of_log(key: bytes | str) -> str:
    """The answer a log key belongs to."""
    text = key.decode() if isinstance(key, bytes) else key
    return text.removeprefix(f"{PREFIX}log:")


def log_state(answer_id: str) -> str:
    """Hash beside the log: `attempt` (fences out stale writers) and `final` (the terminal entry id)."""
    return f"{PREFIX}logstate:{answer_id}"


def stop(answer_id: str) -> str:
    """String: set while a stop is pending, for workers that missed the publish (`cancel` on the
    wire, as the channel)."""
    return f"{PREFIX}cancel:{answer_id}"


def arq_job(job_id: str) -> str:
    return job_key_prefix + job_id


def arq_result(job_id: str) -> str:
    """ARQ's result of a finished job (relaychat keeps none: `keep_result = 0`)."""
    return result_key_prefix + job_id


def arq_in_progress(job_id: str) -> str:
    """ARQ's claim on a running job; the worker keeps it short so a dead worker's job is taken over."""
    return in_progress_key_prefix + job_id


def failed_logins(kind: str, who: str) -> str:
    """String counter with a TTL: failed sign-ins of one account (`kind` "account") or from one
    client address ("address") in the current window."""
    return f"{PREFIX}throttle:login:{kind}:{who}"


def password_checks(user_id: str) -> str:
    """String counter with a TTL: checks of one account's current password (its changes) in the window."""
    return f"{PREFIX}throttle:password:{user_id}"


def registrations(address: str) -> str:
    """String counter with a TTL: accounts registered from one client address in the current window."""
    return f"{PREFIX}throttle:register:{address}"


FAIR_CLOCK = PREFIX + "fair:clock"
"""String: the fair queue's virtual time, the latest tag a worker started in the queue's order.
A job's score in the queue is its start tag (core/jobs.py), not a time."""


def fair_next(user_id: str) -> str:
    """String: the earliest tag the user's next job can have (their last one's, plus one turn)."""
    return f"{PREFIX}fair:next:{user_id}"


OWNER_PREFIX = PREFIX + "owner:"


def trace(answer_id: str) -> str:
    """String, expiring with ARQ's job: the `traceparent` of the answer's start, when traces are
    on (core/tracing.py): the job's spans, and its streams', continue that trace."""
    return f"{PREFIX}trace:{answer_id}"


def owner(job_id: str) -> str:
    """String, expiring with ARQ's job: the user whose answer the job is (for fairness and limits)."""
    return OWNER_PREFIX + job_id


RUNNING_PREFIX = PREFIX + "running:"


def running(user_id: str) -> str:
    """Sorted set: the user's jobs running now, scored by when their claim expires (ms)."""
    return RUNNING_PREFIX + user_id


RUNNING_LIMIT_PREFIX = PREFIX + "limit:running:"


def running_limit(user_id: str) -> str:
    """String: how many of the user's answers may run at once, written at each admission."""
    return RUNNING_LIMIT_PREFIX + user_id


def admitted(user_id: str) -> str:
    """Sorted set: the user's answers admitted and not yet ended (waiting or running), scored by
    when they were admitted (ms)."""
    return f"{PREFIX}admitted:{user_id}"


ADMITTED_USERS = PREFIX + "admitted:users"
"""Set: the users with entries in `admitted`, for the sweep that drops entries nothing ended."""


def tokens_on(user_id: str, day: str) -> str:
    """String counter: the user's tokens (prompt and completion) on a UTC day (`YYYY-MM-DD`)."""
    return f"{PREFIX}usage:tokens:{user_id}:{day}"


def cost_in(user_id: str, month: str) -> str:
    """String counter: the user's cost in a UTC month (`YYYY-MM`), in millionths of a dollar."""
    return f"{PREFIX}usage:cost:{user_id}:{month}"


FILE_WAITERS_PREFIX = PREFIX + "file:waiters:"


def file_waiters(file_id: str) -> str:
    """Set, expiring: the answers whose job waits for the file to be read (worker/file_waits.py)."""
    return FILE_WAITERS_PREFIX + file_id


FILE_READ_PREFIX = PREFIX + "file:read:"


def file_read(file_id: str) -> str:
    """String, expiring: set once the file's reading ended (ready or failed), for an answer about
    to wait for it (worker/file_waits.py)."""
    return FILE_READ_PREFIX + file_id


def arq_retry(job_id: str) -> str:
    """ARQ's count of a job's runs (its tries)."""
    return retry_key_prefix + job_id


STATUS_MINUTE_PREFIX = PREFIX + "status:minute:"


def status_minute(minute: int) -> str:
    """Hash, expiring after two hours: one minute's figures for the admin's Status page
    (core/status.py), the minute counted from the epoch (`time // 60`): answers ended by outcome,
    completed answers' tokens and their time, first-token histograms, and the queue's samples."""
    return f"{STATUS_MINUTE_PREFIX}{minute}"


IMPORT_PREFIX = PREFIX + "import:"


def import_progress(import_id: str) -> str:
    """Hash, expiring a day after the import started: a job import's owner, `status` (running,
    done, failed), `done` and `total` conversations, and a failure's `error` (core/imports/jobs.py)."""
    return f"{IMPORT_PREFIX}{import_id}"


def import_payload(import_id: str) -> str:
    """String, expiring with the progress, deleted when the job ends: the import's conversations,
    read and checked by the API, as compressed JSON (within the import's body limit) for the worker."""
    return f"{IMPORT_PREFIX}{import_id}:payload"


def import_written(import_id: str) -> str:
    """Set, expiring with the progress: the conversations a job import has committed so far, so a
    failure, or a run after a worker died, deletes them: an import is kept whole or not at all."""
    return f"{IMPORT_PREFIX}{import_id}:written"


def import_running(user_id: str) -> str:
    """String, "<import id> <taken at, ms>", expiring with it: the user's job import under way (one
    at a time, so Redis holds one payload per user at most; core/imports/jobs.py)."""
    return f"{IMPORT_PREFIX}running:{user_id}"
