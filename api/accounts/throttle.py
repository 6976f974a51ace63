"""Failed sign-ins, registrations and password checks counted in Redis, so a limit holds across
API processes.

Every attempt is counted before its password is checked: a burst of attempts sent at once cannot
all pass a check that only failures already counted would fail. A sign-in's success takes its count
back. The client's address is checked first, and a try it refuses counts against no account: from
an address already refused, an account cannot be locked out.
"""

from redis.asyncio import Redis

from api.refusals import TooMany
from core import keys

MAX_FAILED_LOGINS = 5
LOGIN_WINDOW_SECONDS = 15 * 60
MAX_REGISTRATIONS = 10
REGISTRATION_WINDOW_SECONDS = 60 * 60
MAX_PASSWORD_CHECKS = 10
PASSWORD_CHECK_WINDOW_SECONDS = 60 * 60

# Takes a success's count back, unless its window ended meanwhile (a DECR would make a key for ever).
_GIVE_BACK = "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('DECR', KEYS[1]) end return 0"


def _too_many(what: str, retry_after: int) -> TooMany:
    minutes = max(1, round(retry_after / 60))
    return TooMany(
        f"Too many {what}; try again in {minutes} minute{'s' if minutes != 1 else ''}.", retry_after
    )


async def _take(redis: Redis, key: str, window: int) -> tuple[int, int]:
    """Count one more in `key`'s window (started by its first count); the count, and seconds left."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(key, 0, ex=window, nx=True)
        pipe.incr(key)
        pipe.ttl(key)
        _, count, ttl = await pipe.execute()
    return int(count), max(int(ttl), 1)


def _login_keys(account: str, address: str) -> list[str]:
    """The address first: a try it refuses goes no further, and so costs the account nothing."""
    return [keys.failed_logins("address", address), keys.failed_logins("account", account)]


async def attempt_login(redis: Redis, account: str, address: str) -> None:
    """Count a sign-in attempt against the client address, then the account: 429 past 5 in 15
    minutes on either (with the right password too). A try refused is no guess: it counts against
    neither. `succeeded` takes the count back."""
    address_key, account_key = _login_keys(account, address)
    count, retry_after = await _take(redis, address_key, LOGIN_WINDOW_SECONDS)
    if count > MAX_FAILED_LOGINS:
        raise _too_many("failed sign-ins", retry_after)
    count, retry_after = await _take(redis, account_key, LOGIN_WINDOW_SECONDS)
    if count > MAX_FAILED_LOGINS:
        await _give_back(redis, address_key)
        raise _too_many("failed sign-ins", retry_after)


async def succeeded(redis: Redis, account: str, address: str) -> None:
    """The password was right: the account's failures are forgiven, the address's attempt given back."""
    address_key, account_key = _login_keys(account, address)
    await redis.delete(account_key)
    await _give_back(redis, address_key)


async def _give_back(redis: Redis, key: str) -> None:
    await redis.eval(_GIVE_BACK, 1, key)  # type: ignore[misc]


async def count_registration(redis: Redis, address: str) -> None:
    """429 past the registrations one address may make in the window; counts this one."""
    count, retry_after = await _take(redis, keys.registrations(address), REGISTRATION_WINDOW_SECONDS)
    if count > MAX_REGISTRATIONS:
        raise _too_many("new accounts from this address", retry_after)


async def count_password_check(redis: Redis, user_id: str) -> None:
    """429 past the current-password checks (changing a name or a password) an account may make
    in the window; counts this one, right or wrong: each costs two argon2 hashes."""
    count, retry_after = await _take(redis, keys.password_checks(user_id), PASSWORD_CHECK_WINDOW_SECONDS)
    if count > MAX_PASSWORD_CHECKS:
        raise _too_many("changes to this account", retry_after)
