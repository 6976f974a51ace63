"""The figures of the admin's Status page (`GET /api/admin/status`, `relaychat status`), from Redis
alone, so that every API process on every host tells the same without Prometheus.

Now: the queue (`keys.QUEUE` less the running jobs), each worker's heartbeat (core/heartbeats.py)
and the admissions (`keys.admitted`). Over the last hour, per minute: a hash per minute
(`keys.status_minute`, expiring after two hours) that each answer's end adds to, in the pipeline
the worker sends after its end anyway (worker/finish.py; an end made elsewhere, a repair, a Stop
of a queued answer or a deletion, sends its own, core/endings.py): its outcome, a completed
answer's tokens and time (first token to end), and fixed-bucket histograms of its first token
(the queue's part, enqueue to the model asked; the model's part, asked to the first token; and
both), from which p50 and p95 are read. Each worker's heartbeat also samples the queue's depth and
the running answers into its minute (their highest), so the hour has them even when no one watched.

An answer counts in the minute it ended, by the clock of the host that ended it.
"""

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from core import heartbeats, keys
from core.models import Message, Status
from core.schemas import MessageRead

MINUTES = 60
"""How far back the page looks."""

TTL_SECONDS = 2 * 60 * 60
"""How long a minute's hash lives after its last write."""

BOUNDS_MS = (25, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 15000, 30000, 60000)
"""The first-token histograms' buckets' upper bounds (ms); one more bucket holds what is past them."""

OUTCOMES = {Status.complete: "completed", Status.stopped: "stopped"}

# KEYS: the queue, the set of workers, the minute's hash. ARGV: the hash's TTL (s).
# The waiting jobs are the queue less the live workers' running ones (api/routes/metrics.py).
_SAMPLE = f"""
local running = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local beat = redis.call('GET', '{keys.WORKER_PREFIX}' .. id)
  if beat then running = running + (tonumber(cjson.decode(beat)['running']) or 0) end
end
local waiting = math.max(0, redis.call('ZCARD', KEYS[1]) - running)
local function highest(field, value)
  local was = tonumber(redis.call('HGET', KEYS[3], field) or '-1')
  if value > was then redis.call('HSET', KEYS[3], field, value) end
end
highest('queue_max', waiting)
highest('running_max', running)
redis.call('EXPIRE', KEYS[3], ARGV[1])
return {{waiting, running}}
"""


def minute_of(moment: float) -> int:
    return int(moment // 60)


def bucket_of(ms: float) -> int:
    """The histogram bucket of a time: the first whose bound holds it, else the last one."""
    for index, bound in enumerate(BOUNDS_MS):
        if ms <= bound:
            return index
    return len(BOUNDS_MS)


def percentile(counts: list[int], q: float) -> float | None:
    """The q-th quantile (0..1) of a histogram, in ms: linear within its bucket (as Prometheus's
    `histogram_quantile`), the last bound for the bucket past them; None with nothing counted."""
    total = sum(counts)
    if total == 0:
        return None
    rank = q * total
    seen = 0
    for index, count in enumerate(counts):
        if count and seen + count >= rank:
            if index >= len(BOUNDS_MS):
                return float(BOUNDS_MS[-1])
            lower = 0.0 if index == 0 else float(BOUNDS_MS[index - 1])
            upper = float(BOUNDS_MS[index])
            return lower + (upper - lower) * max(0.0, rank - seen) / count
        seen += count
    return float(BOUNDS_MS[-1])  # unreachable: the counts add up to the total


@dataclass(frozen=True, slots=True)
class FirstToken:
    """How long an answer's first token took (s): the queue's part (None for a retried attempt,
    whose queue time is not the answer's) and the model's."""

    queue: float | None
    model: float | None


def record_end(
    pipe: Pipeline, message: Message | MessageRead, first_token: FirstToken | None, now: float | None = None
) -> None:
    """Add an answer's end to its minute, in the caller's pipeline."""
    key = keys.status_minute(minute_of(time.time() if now is None else now))
    pipe.hincrby(key, OUTCOMES.get(message.status, "failed"), 1)
    tokens, started, ended = message.completion_tokens, message.first_token_at, message.finished_at
    if message.status == Status.complete and tokens and started and ended and ended > started:
        pipe.hincrby(key, "tokens", tokens)
        pipe.hincrby(key, "token_ms", max(1, round((ended - started).total_seconds() * 1000)))
    if first_token is not None:
        if first_token.queue is not None:
            pipe.hincrby(key, f"ftq:{bucket_of(first_token.queue * 1000)}", 1)
        if first_token.model is not None:
            pipe.hincrby(key, f"ftm:{bucket_of(first_token.model * 1000)}", 1)
        if first_token.queue is not None and first_token.model is not None:
            pipe.hincrby(key, f"ft:{bucket_of((first_token.queue + first_token.model) * 1000)}", 1)
    pipe.expire(key, TTL_SECONDS)


async def record(redis: Redis, message: Message | MessageRead, first_token: FirstToken | None = None) -> None:
    """Add an answer's end to its minute, in a pipeline of its own."""
    async with redis.pipeline(transaction=False) as pipe:
        record_end(pipe, message, first_token)
        await pipe.execute()


async def sample(redis: Redis, now: float | None = None) -> tuple[int, int]:
    """Note the queue's depth and the running answers in this minute (their highest); returns them."""
    key = keys.status_minute(minute_of(time.time() if now is None else now))
    waiting, running = await redis.register_script(_SAMPLE)(
        keys=[keys.QUEUE, keys.WORKERS, key], args=[TTL_SECONDS]
    )
    return int(waiting), int(running)


class WorkerStatus(BaseModel):
    id: str  # host:pid
    host: str
    pid: int
    slots: int
    running: int
    heartbeat_age_seconds: float
    stale: bool  # missed a beat: older than two intervals (it lapses after three)


class MinuteStatus(BaseModel):
    minute: str  # ISO 8601, UTC, the minute's start
    completed: int = 0
    failed: int = 0
    stopped: int = 0
    error_rate: float | None = None  # failed of those ended, 0..1
    tokens_per_second: float | None = None  # completed answers' tokens over their time
    first_token_p50_ms: float | None = None
    first_token_p95_ms: float | None = None
    queue_p50_ms: float | None = None
    queue_p95_ms: float | None = None
    model_p50_ms: float | None = None
    model_p95_ms: float | None = None
    queue_max: int | None = None  # None: no worker sampled it in that minute
    running_max: int | None = None


class HourTotals(BaseModel):
    completed: int
    failed: int
    stopped: int
    error_rate: float | None
    tokens_per_second: float | None
    first_token_p50_ms: float | None
    first_token_p95_ms: float | None


class SystemStatus(BaseModel):
    at: float  # the reader's clock (s since the epoch)
    queued: int  # waiting answers (and other jobs) not yet started
    running: int
    admitted: int  # answers admitted and not yet ended, waiting or running
    workers: list[WorkerStatus]
    minutes: list[MinuteStatus]  # oldest first, the current minute last
    hour: HourTotals


@dataclass(slots=True)
class _Figures:
    """A minute's hash (or the hour's sum of them), read."""

    completed: int = 0
    failed: int = 0
    stopped: int = 0
    tokens: int = 0
    token_ms: int = 0
    queue_max: int | None = None
    running_max: int | None = None
    first: list[int] = field(default_factory=lambda: [0] * (len(BOUNDS_MS) + 1))
    queue: list[int] = field(default_factory=lambda: [0] * (len(BOUNDS_MS) + 1))
    model: list[int] = field(default_factory=lambda: [0] * (len(BOUNDS_MS) + 1))

    @classmethod
    def of(cls, fields: dict[bytes, bytes]) -> "_Figures":
        figures = cls()
        histograms = {"ft": figures.first, "ftq": figures.queue, "ftm": figures.model}
        for raw_name, raw_value in fields.items():
            name, value = raw_name.decode(), int(raw_value)
            if ":" in name:
                kind, _, index = name.partition(":")
                if kind in histograms and index.isdigit() and int(index) <= len(BOUNDS_MS):
                    histograms[kind][int(index)] += value
            elif name in ("completed", "failed", "stopped", "tokens", "token_ms", "queue_max", "running_max"):
                setattr(figures, name, value)
        return figures

    def add(self, other: "_Figures") -> None:
        for name in ("completed", "failed", "stopped", "tokens", "token_ms"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in ((self.first, other.first), (self.queue, other.queue), (self.model, other.model)):
            for index, count in enumerate(theirs):
                mine[index] += count

    @property
    def ended(self) -> int:
        return self.completed + self.failed + self.stopped

    @property
    def error_rate(self) -> float | None:
        return self.failed / self.ended if self.ended else None

    @property
    def tokens_per_second(self) -> float | None:
        return self.tokens / (self.token_ms / 1000) if self.token_ms else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _minute(start: int, figures: _Figures) -> MinuteStatus:
    return MinuteStatus(
        minute=time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(start * 60)),
        completed=figures.completed,
        failed=figures.failed,
        stopped=figures.stopped,
        error_rate=_rounded(figures.error_rate),
        tokens_per_second=_rounded(figures.tokens_per_second),
        first_token_p50_ms=_rounded(percentile(figures.first, 0.5)),
        first_token_p95_ms=_rounded(percentile(figures.first, 0.95)),
        queue_p50_ms=_rounded(percentile(figures.queue, 0.5)),
        queue_p95_ms=_rounded(percentile(figures.queue, 0.95)),
        model_p50_ms=_rounded(percentile(figures.model, 0.5)),
        model_p95_ms=_rounded(percentile(figures.model, 0.95)),
        queue_max=figures.queue_max,
        running_max=figures.running_max,
    )


def _worker(beat: heartbeats.Heartbeat, now: float, interval: float) -> WorkerStatus:
    host, _, pid = beat.id.rpartition(":")
    age = max(0.0, now - beat.beat_at)
    return WorkerStatus(
        id=beat.id,
        host=host,
        pid=int(pid) if pid.isdigit() else 0,
        slots=beat.slots,
        running=beat.running,
        heartbeat_age_seconds=round(age, 1),
        stale=age > 2 * interval,
    )


async def _admitted(redis: Redis) -> int:
    users: set[bytes] = await redis.smembers(keys.ADMITTED_USERS)  # type: ignore[misc]
    if not users:
        return 0
    async with redis.pipeline(transaction=False) as pipe:
        for user in users:
            pipe.zcard(keys.admitted(user.decode()))
        counts: list[int] = await pipe.execute()
    return sum(counts)


async def read(redis: Redis, heartbeat_seconds: float, now: float | None = None) -> SystemStatus:
    """The status now and over the last hour (four round trips, and one per ten thousand users
    with answers admitted)."""
    now = time.time() if now is None else now
    current = minute_of(now)
    starts = list(range(current - MINUTES + 1, current + 1))
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zcard(keys.QUEUE)
        for start in starts:
            pipe.hgetall(keys.status_minute(start))
        replies: list[Any] = await pipe.execute()
    queued: int = replies[0]
    figures = [_Figures.of(fields) for fields in replies[1:]]
    beats = await heartbeats.alive(redis)
    running = sum(beat.running for beat in beats)
    hour = _Figures()
    for each in figures:
        hour.add(each)
    return SystemStatus(
        at=round(now, 3),
        queued=max(0, queued - running),
        running=running,
        admitted=await _admitted(redis),
        workers=[_worker(beat, now, heartbeat_seconds) for beat in beats],
        minutes=[_minute(start, each) for start, each in zip(starts, figures, strict=True)],
        hour=HourTotals(
            completed=hour.completed,
            failed=hour.failed,
            stopped=hour.stopped,
            error_rate=_rounded(hour.error_rate),
            tokens_per_second=_rounded(hour.tokens_per_second),
            first_token_p50_ms=_rounded(percentile(hour.first, 0.5)),
            first_token_p95_ms=_rounded(percentile(hour.first, 0.95)),
        ),
    )


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def render(status: SystemStatus, minutes: int = 10) -> Iterable[str]:
    """The status as lines for a terminal (`relaychat status`)."""
    yield f"queue: {status.queued} waiting, {status.running} running, {status.admitted} admitted"
    yield f"workers: {len(status.workers)}"
    yield f"  {'id':<32} {'slots':>5} {'running':>7} {'heartbeat':>9}"
    for worker in status.workers:
        flag = "  STALE" if worker.stale else ""
        yield (
            f"  {worker.id:<32} {worker.slots:>5} {worker.running:>7} "
            f"{worker.heartbeat_age_seconds:>8.1f}s{flag}"
        )
    hour = status.hour
    rate = "-" if hour.error_rate is None else f"{hour.error_rate:.1%}"
    speed = "-" if hour.tokens_per_second is None else f"{hour.tokens_per_second:.1f}"
    yield (
        f"last hour: {hour.completed} completed, {hour.failed} failed, {hour.stopped} stopped; "
        f"error rate {rate}; first token p50 {_ms(hour.first_token_p50_ms)}, "
        f"p95 {_ms(hour.first_token_p95_ms)}; {speed} tokens/s"
    )
    yield f"last {minutes} minutes (UTC):"
    yield (
        f"  {'minute':<6} {'done':>5} {'failed':>6} {'stopped':>7} {'err':>6} {'p50':>9} {'p95':>9} "
        f"{'tok/s':>7} {'queue':>5} {'run':>4}"
    )
    for minute in status.minutes[-minutes:]:
        rate = "-" if minute.error_rate is None else f"{minute.error_rate:.0%}"
        speed = "-" if minute.tokens_per_second is None else f"{minute.tokens_per_second:.1f}"
        queue = "-" if minute.queue_max is None else str(minute.queue_max)
        run = "-" if minute.running_max is None else str(minute.running_max)
        yield (
            f"  {minute.minute[11:16]:<6} {minute.completed:>5} {minute.failed:>6} {minute.stopped:>7} "
            f"{rate:>6} {_ms(minute.first_token_p50_ms):>9} {_ms(minute.first_token_p95_ms):>9} "
            f"{speed:>7} {queue:>5} {run:>4}"
        )


def as_json(status: SystemStatus) -> str:
    return json.dumps(status.model_dump(mode="json"))
