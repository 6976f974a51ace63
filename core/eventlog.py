"""Each answer's event log, a Redis Stream: appends fenced by attempt (Lua), and reads."""

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

from core import keys
from core.answer_parts import AnswerParts
from core.events import SAID, Event, EventType, dumps

# Logs of answers in progress expire after a day, so a log whose every writer died does not leak.
ACTIVE_LOG_TTL_SECONDS = 86_400

# KEYS: log, state. ARGV: attempt, ttl, reset data.
# Starts attempt n: refused if the log is final or a newer attempt already started. The same
# attempt again is a replay of a call whose reply was lost (attempts are unique per run).
_BEGIN = """
local state = redis.call('HMGET', KEYS[2], 'attempt', 'final')
if state[2] then return 0 end
local attempt = tonumber(ARGV[1])
local current = tonumber(state[1] or '0')
if attempt < current then return 0 end
if attempt == current then return 1 end
redis.call('HSET', KEYS[2], 'attempt', attempt, 'seq', 0)
if attempt > 1 then redis.call('XADD', KEYS[1], '*', 'e', 'reset', 'd', ARGV[3]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1
"""

# KEYS: log, state. ARGV: attempt, final (0|1), ttl, seq, repair (0|1), then event type and data pairs.
# Nothing is appended after a terminal event, nor by an attempt older than the current one.
# Attempt `any` outranks every attempt: the API ending the log of a deleted conversation.
# `seq` numbers an attempt's writes: redis-py resends a command whose reply was lost, and a
# resent write that already landed returns its id instead of doubling the text (0: no check).
# A write whose predecessors are missing (the state names an older attempt, or an earlier seq
# than the one before it) finds a log that went back in time: a Redis failover or a restart
# without persistence lost its newest entries. It appends nothing and answers 'gap'; the writer
# then sends a repair, which re-fences the log at this attempt and write.
# A final append sets the final TTL; the first append of an attempt (which may have created the
# log) gives it the in-progress TTL, so the log of an answer whose every writer died still expires.
_APPEND = """
local state = redis.call('HMGET', KEYS[2], 'attempt', 'final', 'seq', 'last')
local attempt = ARGV[1] == 'any' and math.huge or tonumber(ARGV[1])
local current = tonumber(state[1] or '0')
local written = tonumber(state[3] or '0')
local seq = tonumber(ARGV[4])
if seq > 0 and attempt == current and seq <= written then
  return state[4]
end
if state[2] then return false end
if attempt < current then return false end
local repair = ARGV[5] == '1'
if seq > 0 and not repair and (attempt > current or seq > written + 1) then return 'gap' end
local id = false
for i = 6, #ARGV, 2 do
  id = redis.call('XADD', KEYS[1], '*', 'e', ARGV[i], 'd', ARGV[i + 1])
end
if seq > 0 then redis.call('HSET', KEYS[2], 'seq', seq, 'last', id) end
if repair then redis.call('HSET', KEYS[2], 'attempt', attempt) end
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[2], 'final', id)
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
elseif (seq <= 1 or repair) and redis.call('TTL', KEYS[1]) < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
end
return id
"""

GAP = "gap"
"""The append script's answer to a write whose predecessors the log lost."""

Events = tuple[tuple[EventType, Any], ...]

ANY_ATTEMPT = "any"
"""An append that outranks every attempt, for a writer that ends an answer no attempt can finish."""


def _entry_id(reply: bytes | str | None) -> str | None:
    return reply.decode() if isinstance(reply, bytes) else reply


class EventLog:
    """Writer and reader of the per-answer event logs (one Redis Stream per assistant message)."""

    def __init__(self, redis: Redis, final_ttl_seconds: int) -> None:
        self.redis = redis
        self.final_ttl_seconds = final_ttl_seconds
        self._begin = redis.register_script(_BEGIN)
        self._append = redis.register_script(_APPEND)

    async def begin(self, answer_id: str, attempt: int) -> bool:
        """Fence in attempt n (appending `reset` from the second on); False if it may not write."""
        reset = dumps({"attempt": attempt})
        args: list[str | int] = [attempt, ACTIVE_LOG_TTL_SECONDS, reset]
        return bool(await self._begin(keys=[keys.log(answer_id), keys.log_state(answer_id)], args=args))

    def _call(
        self, answer_id: str, attempt: int | str, events: Events, final: bool, seq: int, repair: bool = False
    ) -> tuple[list[str], list[str]]:
        ttl = self.final_ttl_seconds if final else ACTIVE_LOG_TTL_SECONDS
        args = [str(attempt), str(int(final)), str(ttl), str(seq), str(int(repair))]
        for event_type, data in events:
            args += [event_type.value, data if isinstance(data, str) else dumps(data)]
        return [keys.log(answer_id), keys.log_state(answer_id)], args

    async def append(
        self, answer_id: str, attempt: int | str, *events: tuple[EventType, Any], final: bool = False
    ) -> str | None:
        """Append events atomically, unnumbered (a writer that is not an attempt: it ends a log);
        returns the last entry id, or None when this writer is fenced out."""
        log_keys, args = self._call(answer_id, attempt, events, final, seq=0)
        return _entry_id(await self._append(keys=log_keys, args=args))

    async def append_batch(
        self, appends: "Sequence[tuple[AttemptLog, Events]]", final: bool = False
    ) -> list[str | None]:
        """Appends of many attempts in one round trip, each answered as `append` answers it. A log
        that went back in time is repaired: its attempt's whole text so far, after a `reset`."""
        replies = await self.send([out.call(events, final) for out, events in appends])
        gaps = [i for i, reply in enumerate(replies) if reply == GAP]
        if gaps:
            repairs = [appends[i][0].repair_call(appends[i][1], final) for i in gaps]
            for i, reply in zip(gaps, await self.send(repairs), strict=True):
                replies[i] = reply
        return replies

    async def send(self, calls: list[tuple[list[str], list[str]]]) -> list[str | None]:
        """Prepared writes (`AttemptLog.call`) in one round trip. Sending one again, as redis-py
        does when a reply is lost, answers what the first one did and writes nothing."""
        replies = await self._evalsha_all(calls)
        if any(isinstance(reply, NoScriptError) for reply in replies):
            # Redis restarted and forgot the script: nothing of a refused call ran, so send it again.
            await self.redis.script_load(_APPEND)
            refused = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
            for i, reply in zip(refused, await self._evalsha_all([calls[i] for i in refused]), strict=True):
                replies[i] = reply
        for reply in replies:
            if isinstance(reply, Exception):
                raise reply
        return [_entry_id(reply) for reply in replies]

    async def _evalsha_all(self, calls: list[tuple[list[str], list[str]]]) -> list[Any]:
        # Not the Script object on the pipeline: that asks SCRIPT EXISTS first, a round trip more.
        async with self.redis.pipeline(transaction=False) as pipe:
            for log_keys, args in calls:
                pipe.evalsha(self._append.sha, len(log_keys), *log_keys, *args)
            return await pipe.execute(raise_on_error=False)

    def for_attempt(self, answer_id: str, attempt: int) -> "AttemptLog":
        """The log as one attempt at the answer writes it (fenced by its attempt number)."""
        return AttemptLog(self, answer_id, attempt)

    async def read(self, answer_id: str, after: str, count: int | None = None) -> list[Event]:
        """The entries after the cursor `after` (exclusive), oldest first."""
        start = "-" if after in ("0", "0-0") else f"({after}"
        entries = await self.redis.xrange(keys.log(answer_id), min=start, max="+", count=count)
        return [Event.from_entry(entry_id, fields) for entry_id, fields in entries]

    async def last_id(self, answer_id: str) -> str | None:
        entries = await self.redis.xrevrange(keys.log(answer_id), count=1)
        return Event.from_entry(*entries[0]).id if entries else None

    async def final_id(self, answer_id: str) -> str | None:
        value = await self.redis.hget(keys.log_state(answer_id), "final")  # type: ignore[misc]
        return value.decode() if isinstance(value, bytes) else value

    async def exists(self, answer_id: str) -> bool:
        return bool(await self.redis.exists(keys.log(answer_id)))


class AttemptLog:
    """One attempt's writes to one log, numbered so that a resent write is never applied twice,
    and what it wrote the answer said, with which it repairs a log that lost its newest entries."""

    def __init__(self, log: EventLog, answer_id: str, attempt: int) -> None:
        self._log = log
        self.answer_id = answer_id
        self.attempt = attempt
        self._seq = 0
        self._said = AnswerParts()

    async def begin(self) -> bool:
        """Fence this attempt in; False when a newer one started or the log is final."""
        return await self._log.begin(self.answer_id, self.attempt)

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def call(self, events: Events, final: bool) -> tuple[list[str], list[str]]:
        """The next numbered write of `events`."""
        for kind, data in events:
            if kind in SAID:
                self._said.add(kind, data)
        return self._log._call(self.answer_id, self.attempt, events, final, self.next_seq())

    def repair_call(self, events: Events, final: bool) -> tuple[list[str], list[str]]:
        """`events` written to a log that lost this attempt's newest entries: a `reset` and all
        it said so far (which includes theirs) in their place; readers start over from it."""
        repaired: Events = (
            (EventType.reset, {"attempt": self.attempt, "repair": True}),
            *self._said.whole(),
            *((kind, data) for kind, data in events if kind not in SAID),
        )
        return self._log._call(self.answer_id, self.attempt, repaired, final, self.next_seq(), repair=True)

    async def append(self, *events: tuple[EventType, Any], final: bool = False) -> str | None:
        return (await self._log.append_batch([(self, events)], final))[0]
