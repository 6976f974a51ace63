"""Announcing a revoked sign-in or key, or a changed user, to every API process."""

import json

from redis.asyncio import Redis

from core import keys


async def announce(
    redis: Redis, *, user_id: str | None = None, sign_in_id: str | None = None, key_id: str | None = None
) -> None:
    """Every API process forgets what it cached of it and ends the streams it holds open."""
    subject = {"user_id": user_id, "sign_in_id": sign_in_id, "key_id": key_id}
    await redis.publish(keys.AUTH_CHANNEL, json.dumps({k: v for k, v in subject.items() if v}))
