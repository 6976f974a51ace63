"""Secrets handed to clients (session tokens, API keys): made at random, stored only as hashes."""

import hashlib
import secrets

SIGN_IN_PREFIX = "rcs_"
API_KEY_PREFIX = "rck_"
TOKEN_BYTES = 32  # 256 bits


def new_secret(prefix: str) -> str:
    """A new opaque secret; the prefix says what it is (a leaked key is recognisable in a scan)."""
    return prefix + secrets.token_urlsafe(TOKEN_BYTES)


def digest(secret: str) -> str:
    """What the database keeps: SHA-256 is enough for 256 random bits, and cheap on every request.

    Lookups are by this digest, an equality on a value the client cannot steer towards a stored
    one, so there is no secret comparison left to time.
    """
    return hashlib.sha256(secret.encode()).hexdigest()
