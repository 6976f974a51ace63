"""Failed sign-ins and registrations counted in Redis, so a limit holds across API processes."""

from fastapi import HTTPException, status
from redis.asyncio import Redis

from core import keys

MAX_FAILED_LOGINS = 5
LOGIN_WINDOW_SECONDS = 15 * 60
MAX_REGISTRATIONS = 10
REGISTRATION_WINDOW_SECONDS = 60 * 60


def _too_many(what: str, retry_after: int) -> HTTPException:
    minutes = max(1, round(retry_after / 60))
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        f"Too many {what}; try again in {minutes} minute{'s' if minutes != 1 else ''}.",
        {"Retry-After": str(max(1, retry_after))},
    )


async def _over(redis: Redis, key: str, limit: int) -> int:
    """Seconds until the window of `key` ends if its count reached `limit`, else 0."""
    async with redis.pipeline(transaction=False) as pipe:
        pipe.get(key)
        pipe.ttl(key)
        count, ttl = await pipe.execute()
    return max(int(ttl), 1) if count is not None and int(count) >= limit else 0


async def _count(redis: Redis, key: str, window: int) -> None:
    # The first count of a window starts it (SET NX with its TTL; INCR keeps the TTL). Not EXPIRE
    # NX: Redis 6.2, which relaychat up runs, does not have it.
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(key, 0, ex=window, nx=True)
        pipe.incr(key)
        await pipe.execute()


async def check_login(redis: Redis, account: str, address: str) -> None:
    """429 while the account or the client address has failed too often, right password or not."""
    for key in (keys.failed_logins("account", account), keys.failed_logins("address", address)):
        if retry_after := await _over(redis, key, MAX_FAILED_LOGINS):
            raise _too_many("failed sign-ins", retry_after)


async def count_failed_login(redis: Redis, account: str, address: str) -> None:
    for key in (keys.failed_logins("account", account), keys.failed_logins("address", address)):
        await _count(redis, key, LOGIN_WINDOW_SECONDS)


async def forgive_account(redis: Redis, account: str) -> None:
    """A successful sign-in clears the account's count (the address's stays)."""
    await redis.delete(keys.failed_logins("account", account))


async def count_registration(redis: Redis, address: str) -> None:
    """429 past the registrations one address may make in the window; counts this one."""
    key = keys.registrations(address)
    if retry_after := await _over(redis, key, MAX_REGISTRATIONS):
        raise _too_many("new accounts from this address", retry_after)
    await _count(redis, key, REGISTRATION_WINDOW_SECONDS)
