"""The API process's one feed of revocations: cached principals forgotten, open streams ended."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from redis.asyncio import Redis

from api.accounts.authenticator import Authenticator, Principal
from core import keys
from core.pubsub import Subscription
from core.revocations import announce, subject_of
from core.tasks import cancel_and_wait

logger = logging.getLogger(__name__)


class Revocations:
    """Listens on `relaychat:auth` (core/revocations.py announces there) for every API process.

    A stream held open by a principal ends when its sign-in or key is revoked or its user changes
    (role, status, deletion); the browser reconnects and is asked to sign in. After the connection
    to Redis was lost, every cache entry is dropped and every held principal is looked up again,
    since an announcement may have been missed.
    """

    def __init__(self, redis: Redis, authenticator: Authenticator) -> None:
        self._authenticator = authenticator
        self._subscription = Subscription(
            redis, (keys.AUTH_CHANNEL,), self._on_message, on_resubscribed=self._on_resubscribed
        )
        self._held: dict[asyncio.Event, Principal] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._subscription.run())

    @contextlib.asynccontextmanager
    async def hold(
        self, principal: Principal, revoked: asyncio.Event, checked_at: int
    ) -> AsyncIterator[None]:
        """While inside (a stream is open), `revoked` is set if the principal is revoked.

        `checked_at` is the authenticator's generation when the request was signed in: if any
        revocation was heard since, before this stream was held, the principal is looked up once
        more (only then: a stream's opening costs no database read).
        """
        self._held[revoked] = principal
        try:
            authenticator = self._authenticator
            if authenticator.generation != checked_at and not await authenticator.still_valid(principal):
                revoked.set()
            yield
        finally:
            del self._held[revoked]

    async def revoke(
        self,
        redis: Redis,
        *,
        user_id: str | None = None,
        sign_in_id: str | None = None,
        key_id: str | None = None,
    ) -> None:
        """Revoke it here at once, then on every API process (this one hears it again, harmlessly):
        the revoking request's own process must not serve the revoked credential from its cache
        in the moment before its own announcement comes back."""
        self._forget(user_id, sign_in_id, key_id)
        await announce(redis, user_id=user_id, sign_in_id=sign_in_id, key_id=key_id)

    def _on_message(self, _channel: str, data: bytes) -> None:
        self._forget(*subject_of(data))

    def _forget(self, user_id: str | None, sign_in_id: str | None, key_id: str | None) -> None:
        self._authenticator.forget(user_id, sign_in_id, key_id)
        for revoked, principal in self._held.items():
            if principal.matches(user_id, sign_in_id, key_id):
                revoked.set()

    def _on_resubscribed(self) -> None:
        self._authenticator.forget_all()
        task = asyncio.create_task(self._recheck())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _recheck(self) -> None:
        for revoked, principal in list(self._held.items()):
            try:
                if not await self._authenticator.still_valid(principal):
                    revoked.set()
            except Exception as error:  # the next reconnect checks again
                logger.warning("could not check a held stream's sign-in: %r", error)

    async def close(self) -> None:
        if self._task:
            await cancel_and_wait(self._task)
        for task in list(self._tasks):
            await cancel_and_wait(task)
        with contextlib.suppress(Exception):
            await self._subscription.close()
