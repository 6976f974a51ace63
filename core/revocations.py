"""Announcing a revoked sign-in or key, or a changed user, to every API process, and reading an
announcement back."""

import json

from redis.asyncio import Redis

from core import keys

# The announcement's fields, as `(user_id, sign_in_id, key_id)`. A sign-in is `session_id` on the
# wire, its name from before: processes of both versions meet during a rolling upgrade.
_FIELDS = ("user_id", "session_id", "key_id")


async def announce(
    redis: Redis, *, user_id: str | None = None, sign_in_id: str | None = None, key_id: str | None = None
) -> None:
    """Every API process forgets what it cached of it and ends the streams it holds open."""
    subject = dict(zip(_FIELDS, (user_id, sign_in_id, key_id), strict=True))
    await redis.publish(keys.AUTH_CHANNEL, json.dumps({k: v for k, v in subject.items() if v}))


def subject_of(data: bytes) -> tuple[str | None, str | None, str | None]:
    """An announcement's `(user_id, sign_in_id, key_id)`."""
    announced = json.loads(data)
    user_id, sign_in_id, key_id = (announced.get(field) for field in _FIELDS)
    return user_id, sign_in_id, key_id
