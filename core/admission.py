"""Admitting an answer within its user's limits: counted in Redis, exact across processes.

One Lua call checks the user's waiting answers, today's tokens and this month's cost against
their limits and, if all are within them, admits the answer: of fifty requests racing for the
last free place, exactly one gets it. An admission ends when the answer's job ends (the worker
gives it back); the workers' sweep drops the ones nothing will end (worker/recover.py).
"""

from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from core import keys, metrics
from core.limits import Limits

# How long a refusal for too many waiting answers asks the client to wait: about one answer.
WAITING_RETRY_SECONDS = 10
# The running limit is written with every admission; it outlives the longest queued job.
RUNNING_LIMIT_TTL_MS = 2 * 86_400_000
MICRO_USD = 1_000_000

# KEYS: admitted, running, tokens today, cost this month, running limit, users with admissions.
# ARGV: message id, now (ms), waiting limit, tokens limit, cost limit (µ$), running limit (-1:
# none for each), running limit TTL (ms), user id.
_ADMIT = """
local now = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if tonumber(ARGV[6]) >= 0 then
  redis.call('SET', KEYS[5], ARGV[6], 'PX', ARGV[7])
else
  redis.call('DEL', KEYS[5])
end
local waiting = redis.call('ZCARD', KEYS[1]) - redis.call('ZCARD', KEYS[2])
if tonumber(ARGV[3]) >= 0 and waiting >= tonumber(ARGV[3]) then return 'waiting' end
if tonumber(ARGV[4]) >= 0 and tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[4]) then
  return 'tokens'
end
if tonumber(ARGV[5]) >= 0 and tonumber(redis.call('GET', KEYS[4]) or '0') >= tonumber(ARGV[5]) then
  return 'cost'
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('SADD', KEYS[6], ARGV[8])
return 'ok'
"""


class OverLimit(Exception):
    """The answer was not admitted: a sentence for the user, and when to try again."""

    def __init__(self, sentence: str, retry_after_seconds: int) -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.retry_after_seconds = retry_after_seconds


def day_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


def month_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def _unset(limit: float | None) -> int:
    return -1 if limit is None else int(limit)


async def admit(redis: Redis, user_id: str, answer_id: str, limits: Limits, now: datetime) -> None:
    """Admit the answer, or raise OverLimit saying which limit it would pass."""
    cost_limit = None if limits.cost_per_month_usd is None else round(limits.cost_per_month_usd * MICRO_USD)
    script = redis.register_script(_ADMIT)
    refused = (
        await script(
            keys=[
                keys.admitted(user_id),
                keys.running(user_id),
                keys.tokens_on(user_id, day_of(now)),
                keys.cost_in(user_id, month_of(now)),
                keys.running_limit(user_id),
                keys.ADMITTED_USERS,
            ],
            args=[
                answer_id,
                int(now.timestamp() * 1000),
                _unset(limits.waiting_answers),
                _unset(limits.tokens_per_day),
                _unset(cost_limit),
                _unset(limits.running_answers),
                RUNNING_LIMIT_TTL_MS,
                user_id,
            ],
        )
    ).decode()
    if refused != "ok":
        metrics.ADMISSIONS_REFUSED.labels(refused).inc()
    if refused == "waiting":
        waiting = limits.waiting_answers
        raise OverLimit(
            f"You have {waiting:,} {'answer' if waiting == 1 else 'answers'} waiting, your limit: "
            "wait for one to start, or stop one.",
            WAITING_RETRY_SECONDS,
        )
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if refused == "tokens":
        tomorrow = midnight + timedelta(days=1)
        raise OverLimit(
            f"You have used your {limits.tokens_per_day:,} tokens for today; more from midnight UTC.",
            _seconds_until(tomorrow, now),
        )
    if refused == "cost":
        next_month = (midnight.replace(day=1) + timedelta(days=32)).replace(day=1)
        raise OverLimit(
            f"You have used your ${limits.cost_per_month_usd:,.2f} for this month; more from the 1st (UTC).",
            _seconds_until(next_month, now),
        )


async def withdraw(redis: Redis, user_id: str, answer_id: str) -> None:
    """Undo an admission whose answer was not stored after all."""
    await redis.zrem(keys.admitted(user_id), answer_id)


async def count_usage(redis: Redis, user_id: str, tokens: int, cost_usd: float, when: datetime) -> None:
    """Add an answer's tokens to its user's day and its cost to their month."""
    day, month = keys.tokens_on(user_id, day_of(when)), keys.cost_in(user_id, month_of(when))
    async with redis.pipeline(transaction=False) as pipe:
        pipe.incrby(day, tokens)
        pipe.expire(day, 2 * 86_400)
        pipe.incrby(month, round(cost_usd * MICRO_USD))
        pipe.expire(month, 32 * 86_400)
        await pipe.execute()


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, int((moment - now).total_seconds()) + 1)
