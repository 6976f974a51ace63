"""Who a credential belongs to: a sign-in's token (browsers) or an API key (programs).

A lookup is cached for two seconds per process; a revocation (api/accounts/revocations.py) drops it
at once on every process, so the check costs a request a dictionary lookup and a SHA-256 on the
hot path.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Update
from sqlmodel import col, select, update

from core.credentials import API_KEY_PREFIX, SIGN_IN_PREFIX, digest
from core.db import Sessionmaker, one_statement, read_only
from core.limits import Limits, combine, overrides, role_limits
from core.models import ApiKey, RoleLimit, SignIn, User, UserRole, UserStatus, utcnow

logger = logging.getLogger(__name__)

CACHE_SECONDS = 2.0
MAX_CACHED = 10_000
# A sign-in's sliding expiry and a key's last use are written at most this often.
TOUCH_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class Principal:
    """The signed-in user of a request, and the sign-in or key it came with."""

    user_id: str
    email: str
    name: str
    role: UserRole
    sign_in_id: str | None
    key_id: str | None
    digest: str  # of the credential: how a cached principal is looked up again
    # What applies to the user, read with the credential: a submit reads no limits of its own. A
    # change reaches this process at once (the admin's routes forget the cache), others within
    # CACHE_SECONDS.
    limits: Limits

    @property
    def is_admin(self) -> bool:
        return self.role == UserRole.admin

    def matches(self, user_id: str | None, sign_in_id: str | None, key_id: str | None) -> bool:
        """Whether a revocation of this user, sign-in or key (whichever are given) concerns it."""
        return (
            (user_id is not None and user_id == self.user_id)
            or (sign_in_id is not None and sign_in_id == self.sign_in_id)
            or (key_id is not None and key_id == self.key_id)
        )


class Authenticator:
    """Finds the principal of a sign-in's token or an API key, caching each answer briefly."""

    def __init__(self, sessionmaker: Sessionmaker, sign_in_idle: timedelta) -> None:
        self._sessionmaker = sessionmaker
        self._idle = sign_in_idle
        self._cache: dict[str, tuple[float, Principal | None]] = {}
        self._touches: set[asyncio.Task[None]] = set()
        # Counts every forgetting: a lookup in flight while one happened may have read the row as
        # it was before the revocation, and is not cached.
        self._generation = 0

    async def by_sign_in(self, token: str) -> Principal | None:
        return await self._cached(digest(token), token.startswith(SIGN_IN_PREFIX), self._sign_in)

    async def by_key(self, secret: str) -> Principal | None:
        return await self._cached(digest(secret), secret.startswith(API_KEY_PREFIX), self._key)

    async def still_valid(self, principal: Principal) -> bool:
        """Looked up afresh (the cache may have missed a revocation while pub/sub reconnected)."""
        look_up = self._sign_in if principal.sign_in_id else self._key
        return await look_up(principal.digest) is not None

    def forget(
        self, user_id: str | None = None, sign_in_id: str | None = None, key_id: str | None = None
    ) -> None:
        """Drop what is cached of the user, sign-in or key, and every refusal cached: one of them
        may be stale (an account enabled again)."""
        self._generation += 1
        for cached, (_, principal) in list(self._cache.items()):
            if principal is None or principal.matches(user_id, sign_in_id, key_id):
                del self._cache[cached]

    @property
    def generation(self) -> int:
        """How many times a revocation made the cache forget: a later value means one came since."""
        return self._generation

    def forget_all(self) -> None:
        self._generation += 1
        self._cache.clear()

    async def _cached(
        self, hashed: str, well_formed: bool, look_up: Callable[[str], Awaitable[Principal | None]]
    ) -> Principal | None:
        if not well_formed:
            return None
        now = time.monotonic()
        hit = self._cache.get(hashed)
        if hit is not None and hit[0] > now:
            return hit[1]
        generation = self._generation
        principal = await look_up(hashed)
        if generation != self._generation:
            return principal
        if len(self._cache) >= MAX_CACHED:
            self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
        self._cache[hashed] = (now + CACHE_SECONDS, principal)
        return principal

    async def _sign_in(self, hashed: str) -> Principal | None:
        now = utcnow()
        found = await self._active_user_of(
            select(SignIn, User, RoleLimit)
            .join(User, col(User.id) == col(SignIn.user_id))
            .where(SignIn.token_hash == hashed, col(SignIn.expires_at) > now)
        )
        if found is None:
            return None
        row, user, role = found
        if now - _aware(row.last_seen_at) > TOUCH_EVERY:
            values = {"last_seen_at": now, "expires_at": now + self._idle}
            self._touch(update(SignIn).where(col(SignIn.id) == row.id).values(**values))
        return _principal(user, role, hashed, sign_in_id=row.id)

    async def _key(self, hashed: str) -> Principal | None:
        now = utcnow()
        found = await self._active_user_of(
            select(ApiKey, User, RoleLimit)
            .join(User, col(User.id) == col(ApiKey.user_id))
            .where(ApiKey.key_hash == hashed)
        )
        if found is None:
            return None
        row, user, role = found
        if row.last_used_at is None or now - _aware(row.last_used_at) > TOUCH_EVERY:
            self._touch(update(ApiKey).where(col(ApiKey.id) == row.id).values(last_used_at=now))
        return _principal(user, role, hashed, key_id=row.id)

    async def _active_user_of(self, statement: Any) -> tuple[Any, User, RoleLimit | None] | None:
        """The credential's row, its user if active, and the defaults of the user's role; read in a
        transaction of its own that takes no write lock and never begins the request's."""
        async with self._sessionmaker() as session:
            await read_only(session)
            joined = statement.join(RoleLimit, col(RoleLimit.role) == col(User.role), isouter=True)
            found: tuple[Any, User, RoleLimit | None] | None = (
                await session.exec(joined.where(User.status == UserStatus.active))
            ).first()
            return found

    def _touch(self, statement: Update) -> None:
        """Record a use in the background: a request never waits for a write lock to be let in."""
        task = asyncio.create_task(self._write(statement))
        self._touches.add(task)
        task.add_done_callback(self._touches.discard)

    async def _write(self, statement: Update) -> None:
        try:
            async with self._sessionmaker() as session:
                await one_statement(session)
                await session.exec(statement)
                await session.commit()
        except Exception as error:  # a missed "last used" costs nothing; the next use tries again
            logger.warning("could not record a sign-in's use: %r", error)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _principal(
    user: User, role: RoleLimit | None, hashed: str, sign_in_id: str | None = None, key_id: str | None = None
) -> Principal:
    limits = combine(role_limits(role), overrides(user))
    return Principal(user.id, user.email, user.name, user.role, sign_in_id, key_id, hashed, limits)
