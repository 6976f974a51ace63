"""Claims on jobs: taken for a batch in one call, within each owner's running limit, kept short and
renewed while the job runs, and given back at its end.

ARQ claims one job at a time with a WATCH transaction of three round trips and knows nothing of
owners. Here one Lua call goes through the due jobs in the queue's (fair) order and claims up to
the worker's free slots, skipping jobs running elsewhere and jobs whose owner already runs as many
answers as their limit allows. A claim of the queue's head in order moves the fair queue's clock
to the latest turn it started (core/jobs.py); a woken job started out of turn, with slots to
spare, does not: the clock must not run ahead of the jobs still waiting.

The per-job and per-owner keys are built inside the script from the prefixes in `core.keys`:
relaychat runs on one Redis (or Sentinel), not Redis Cluster.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from arq.utils import timestamp_ms
from redis.asyncio import Redis
from redis.exceptions import RedisError

from core import keys
from core.jobs import FAIR_TAGS_BELOW
from core.tasks import cancel_and_wait

logger = logging.getLogger(__name__)

# KEYS: queue, clock. ARGV: now (ms), claim TTL (ms), free slots, 1 if the candidates are the
# queue's head in order (else 0), then the candidate job ids.
_CLAIM = f"""
local now, ttl, free = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local claimed, running, latest = {{}}, {{}}, 0
for i = 5, #ARGV do
  if #claimed >= 2 * free then break end
  local id = ARGV[i]
  local score = tonumber(redis.call('ZSCORE', KEYS[1], id) or '0')
  if score > 0 and score <= now and redis.call('EXISTS', '{keys.arq_in_progress("")}' .. id) == 0 then
    local owner = redis.call('GET', '{keys.OWNER_PREFIX}' .. id)
    local allowed = true
    if owner then
      local set = '{keys.RUNNING_PREFIX}' .. owner
      if running[owner] == nil then
        redis.call('ZREMRANGEBYSCORE', set, '-inf', now)
        running[owner] = redis.call('ZCARD', set)
      end
      local limit = tonumber(redis.call('GET', '{keys.RUNNING_LIMIT_PREFIX}' .. owner) or '-1')
      allowed = limit < 0 or running[owner] < limit
      if allowed then
        redis.call('ZADD', set, now + ttl, id)
        running[owner] = running[owner] + 1
      end
    end
    if allowed then
      redis.call('PSETEX', '{keys.arq_in_progress("")}' .. id, ttl, '1')
      claimed[#claimed + 1] = id
      claimed[#claimed + 1] = owner or ''
      if score < {FAIR_TAGS_BELOW} then latest = math.max(latest, score) end
    end
  end
end
if ARGV[4] == '1' and latest > tonumber(redis.call('GET', KEYS[2]) or '0') then
  redis.call('SET', KEYS[2], latest)
end
return claimed
"""


@dataclass(frozen=True)
class Claimed:
    job_id: str
    owner: str | None


async def claim(
    redis: Redis, candidates: list[bytes], free: int, ttl_seconds: float, *, in_order: bool = True
) -> list[Claimed]:
    """Claim up to `free` of the candidates that may start now: the queue's head, `in_order`, or
    jobs that were just enqueued."""
    if free <= 0 or not candidates:
        return []
    script = redis.register_script(_CLAIM)
    args: list[bytes | int] = [timestamp_ms(), int(ttl_seconds * 1000), free, int(in_order), *candidates]
    flat = [item.decode() for item in await script(keys=[keys.QUEUE, keys.FAIR_CLOCK], args=args)]
    return [Claimed(job_id, owner or None) for job_id, owner in zip(flat[::2], flat[1::2], strict=True)]


async def release(redis: Redis, claimed: Claimed, *, ended: bool) -> None:
    """Give back the owner's running slot; and when the job `ended` for good, their admission."""
    if claimed.owner is None:
        return
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zrem(keys.running(claimed.owner), claimed.job_id)
        if ended:
            pipe.zrem(keys.admitted(claimed.owner), claimed.job_id)
            pipe.delete(keys.owner(claimed.job_id))
        await pipe.execute()


@contextlib.asynccontextmanager
async def hold_claim(
    redis: Redis, claimed: Claimed, ttl_seconds: float, on_lost: Callable[[], None]
) -> AsyncIterator[None]:
    """Keep the claim on the job (and its owner's running slot) short and alive while it runs;
    `on_lost` is called once it may have expired unrenewed.

    ARQ sets its claim to the job timeout and never refreshes it, so a killed worker's answer
    would wait that long. Here it lives `ttl_seconds` and is renewed every third of that:
    when the process dies, another worker takes the job over within about `ttl_seconds`, and
    the dead worker's slot counts against its owner no longer than that.

    A worker cut off from Redis keeps running, and once its claim has expired another worker
    may take the job over: each renewal is bounded by the claim's expiry (a silent Redis would
    hold it for the socket's timeout and every retry), and when the claim is past it the job is
    given up (`on_lost`), so that the model is not asked for one answer twice.
    """
    key = keys.arq_in_progress(claimed.job_id)
    ttl_ms = int(ttl_seconds * 1000)
    loop = asyncio.get_running_loop()

    async def renew() -> None:
        expires = loop.time() + ttl_seconds  # the claim was made just before, so no later than this
        while True:
            await asyncio.sleep(max(min(ttl_seconds / 3, expires - loop.time()), 0))
            sent = loop.time()
            try:
                async with asyncio.timeout_at(expires):
                    # Only what is still there (XX): the job gives its slot back and ARQ deletes
                    # its claim before this block ends, and a renewal in between must not take
                    # them again (the owner's next answer would wait for the slot to expire).
                    async with redis.pipeline(transaction=False) as pipe:
                        pipe.set(key, b"1", px=ttl_ms, xx=True)
                        if claimed.owner is not None:
                            expiry = {claimed.job_id: timestamp_ms() + ttl_ms}
                            pipe.zadd(keys.running(claimed.owner), expiry, xx=True)
                        await pipe.execute()
                expires = sent + ttl_seconds  # Redis set it no earlier than it was sent
            except (RedisError, OSError, TimeoutError) as error:
                if loop.time() >= expires:
                    logger.warning("lost the claim on %s: not renewed in %.1f s", claimed.job_id, ttl_seconds)
                    on_lost()
                    return
                logger.warning("could not renew the claim on %s: %r", claimed.job_id, error)

    task = asyncio.create_task(renew())
    try:
        yield
    finally:
        await cancel_and_wait(task)
