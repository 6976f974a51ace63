"""An answer that waits for its files.

A question may bring files still being read (a /v1 request's inline file, stored a moment before;
an upload sent at once). The answer's job, finding one `processing`, starts no attempt: it
`park`s itself, its job left in the queue, scored to run again `PARKED_SECONDS` later at the
latest, and gives its running slot back (its admission stays: the answer still waits). When the
file's ingestion ends, ready or failed, `wake` makes every answer that waits for it due at once, in
the fair queue's current turn, and wakes a worker. The job then reads its files again: it waits
for the next one still being read, fails with the sentence of one that could not be read, or
answers.

Each is one Lua call, so neither misses the other: the ingestion marks the file read
(`keys.file_read`) as it wakes the waiters, and a job that parks on a file so marked is due at
once. The latest time is for what a wake-up cannot reach: a file deleted while it was read, a
Redis that lost the waiters.
"""

from arq.utils import timestamp_ms
from redis.asyncio import Redis

from core import keys

PARKED_SECONDS = 15
WAITERS_TTL_MS = 86_400_000  # a day, as ARQ's job
READ_MARK_MS = 600_000  # far longer than a job takes between its look at a file and its parking

# KEYS: queue, clock. ARGV: answer id, now (ms), parked until (ms), 'fair' or 'fifo', the waiters'
# TTL (ms), then the files' ids. Returns 1 when one of the files was read meanwhile (due at once).
_PARK = f"""
local due = false
for i = 6, #ARGV do
  local waiters = '{keys.FILE_WAITERS_PREFIX}' .. ARGV[i]
  redis.call('SADD', waiters, ARGV[1])
  redis.call('PEXPIRE', waiters, ARGV[5])
  if redis.call('EXISTS', '{keys.FILE_READ_PREFIX}' .. ARGV[i]) == 1 then due = true end
end
local score = tonumber(ARGV[3])
if due then
  score = tonumber(ARGV[2])
  if ARGV[4] == 'fair' then score = tonumber(redis.call('GET', KEYS[2]) or '1') end
end
redis.call('ZADD', KEYS[1], 'XX', score, ARGV[1])
if due then return 1 end
return 0
"""

# KEYS: queue, clock, the file's waiters, its read mark. ARGV: now (ms), the mark's TTL (ms),
# 'fair' or 'fifo', the wake channel. Returns how many waiting answers were made due.
_WAKE = """
redis.call('SET', KEYS[4], '1', 'PX', ARGV[2])
local waiting = redis.call('SMEMBERS', KEYS[3])
redis.call('DEL', KEYS[3])
local score = tonumber(ARGV[1])
if ARGV[3] == 'fair' then score = tonumber(redis.call('GET', KEYS[2]) or '1') end
local woken = 0
for _, id in ipairs(waiting) do
  if redis.call('ZSCORE', KEYS[1], id) then
    redis.call('ZADD', KEYS[1], 'XX', score, id)
    redis.call('PUBLISH', ARGV[4], id)
    woken = woken + 1
  end
end
return woken
"""

# KEYS: the job's claim (ARQ's in-progress key), its tries. A parked job's run is not a try.
_UNCLAIM = """
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
"""


def _mode(fair: bool) -> str:
    return "fair" if fair else "fifo"


async def park(redis: Redis, answer_id: str, file_ids: list[str], *, fair: bool) -> bool:
    """Leave the answer's job in the queue until the files are read (`PARKED_SECONDS` at the
    latest); True when one of them was read meanwhile, and the job is due at once."""
    now = timestamp_ms()
    script = redis.register_script(_PARK)
    args: list[str | int] = [
        answer_id,
        now,
        now + PARKED_SECONDS * 1000,
        _mode(fair),
        WAITERS_TTL_MS,
        *file_ids,
    ]
    return bool(await script(keys=[keys.QUEUE, keys.FAIR_CLOCK], args=args))


async def unclaim(redis: Redis, job_id: str) -> None:
    """What ends a parked job's run instead of ARQ's end: its claim goes (another worker may take
    it when it is due), its job stays, and the run does not count as one of its tries."""
    script = redis.register_script(_UNCLAIM)
    await script(keys=[keys.arq_in_progress(job_id), keys.arq_retry(job_id)], args=[])


async def wake(redis: Redis, file_id: str, *, fair: bool) -> int:
    """The file's reading ended (ready, failed or deleted): every answer waiting for it is due at
    once, and a worker is woken for each; how many."""
    script = redis.register_script(_WAKE)
    file_keys = [keys.QUEUE, keys.FAIR_CLOCK, keys.file_waiters(file_id), keys.file_read(file_id)]
    args: list[str | int] = [timestamp_ms(), READ_MARK_MS, _mode(fair), keys.WAKE_CHANNEL]
    return int(await script(keys=file_keys, args=args))
