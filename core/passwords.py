"""Passwords: what a new one must be, and argon2id hashes of them."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 256

# argon2-cffi's defaults (RFC 9106's second recommended option: argon2id, 64 MiB, 3 passes).
_hasher = PasswordHasher()
# A hash takes about 0.1 s of CPU and 64 MiB: it runs in a thread, so the event loop (and every
# stream it serves) never waits for one, and at most two at once, so a burst cannot take the
# process's memory. Two lanes of one thread each, queued in order: signing in has a lane of its
# own, so that no number of password changes or sign-ups can keep anyone from signing in.
_SIGN_IN_LANE = ThreadPoolExecutor(1, thread_name_prefix="relaychat-sign-in")
_OTHER_LANE = ThreadPoolExecutor(1, thread_name_prefix="relaychat-passwords")
# Verified when no account matches, so that an unknown email costs the same time as a wrong password.
_UNKNOWN_ACCOUNT_HASH = _hasher.hash("not the password of any account")


class WeakPassword(ValueError):
    """A password that may not be used; the message says why, as a sentence."""


@cache
def _common() -> frozenset[str]:
    text = resources.files("core").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def check_new(password: str) -> None:
    """8 to 256 characters and not a common password; no rules about which characters (NIST 800-63B)."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"The password is too short: use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"The password is too long: use at most {MAX_LENGTH} characters.")
    if password.lower() in _common():
        raise WeakPassword("This password is one of the most common ones: choose another.")


async def hash_password(password: str, *, signing_in: bool = False) -> str:
    """A new hash (a new password; or, `signing_in`, an old one rehashed as a sign-in succeeds)."""
    lane = _SIGN_IN_LANE if signing_in else _OTHER_LANE
    return await asyncio.get_running_loop().run_in_executor(lane, _hasher.hash, password)


async def verify(password_hash: str | None, password: str, *, signing_in: bool = False) -> bool:
    """Whether `password` matches; with no hash (no such account) it still takes the same time.
    `signing_in`: in the sign-in lane, which nothing else waits in."""
    lane = _SIGN_IN_LANE if signing_in else _OTHER_LANE
    return await asyncio.get_running_loop().run_in_executor(lane, _verify, password_hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _UNKNOWN_ACCOUNT_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's: rehash at the next sign-in."""
    return _hasher.check_needs_rehash(password_hash)
