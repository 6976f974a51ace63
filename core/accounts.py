"""Accounts: creating them (the first is the admin, and takes the conversations from before
accounts), passwords, sign-ins and keys, and the signup mode. Shared by the API and the CLI."""

import re
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from core.credentials import API_KEY_PREFIX, SIGN_IN_PREFIX, digest, new_secret
from core.models import (
    ApiKey,
    Conversation,
    SignIn,
    SignupMode,
    SiteSetting,
    User,
    UserRole,
    UserStatus,
    utcnow,
)
from core.passwords import check_new, hash_password

SIGNUP_SETTING = "signup"
# Written with the first account: its primary key lets only one request be the first.
SETUP_SETTING = "setup"
MAX_EMAIL_LENGTH = 320
MAX_NAME_LENGTH = 200
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class AccountError(Exception):
    """A refusal with a sentence a person can read."""


class EmailTaken(AccountError):
    def __init__(self) -> None:
        super().__init__("An account with this email address exists already.")


class SetupDone(AccountError):
    def __init__(self) -> None:
        super().__init__("The first account exists already.")


def normalize_email(email: str) -> str:
    """The address as stored and compared: trimmed and lower-cased; AccountError if it is none."""
    address = email.strip().lower()
    if len(address) > MAX_EMAIL_LENGTH or "\x00" in address or not _EMAIL.match(address):
        raise AccountError("This is not an email address.")
    return address


async def user_count(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(User))).one()


async def find_by_email(session: AsyncSession, email: str) -> User | None:
    try:
        address = normalize_email(email)
    except AccountError:
        return None
    return (await session.exec(select(User).where(User.email == address))).first()


async def create_user(
    session: AsyncSession,
    email: str,
    password: str,
    *,
    name: str = "",
    role: UserRole = UserRole.user,
    status: UserStatus = UserStatus.active,
    first: bool = False,
) -> User:
    """Add an account and commit. The `first` one becomes an active admin and owns every
    conversation made before accounts existed; only one request can be first.

    Raises AccountError (EmailTaken, SetupDone) or core.passwords.WeakPassword with a sentence.
    """
    address = normalize_email(email)
    check_new(password)
    user = User(
        email=address,
        name=(name.strip() or address.split("@")[0])[:MAX_NAME_LENGTH],
        password_hash=await hash_password(password),
        role=UserRole.admin if first else role,
        status=UserStatus.active if first else status,
    )
    session.add(user)
    try:
        if first:
            session.add(SiteSetting(key=SETUP_SETTING, value=user.id))
            adopted = (
                update(Conversation).where(col(Conversation.owner_id).is_(None)).values(owner_id=user.id)
            )
            await session.exec(adopted)
        await session.commit()
    except IntegrityError:
        await session.rollback()
        if first and await user_count(session) > 0:
            raise SetupDone() from None
        raise EmailTaken() from None
    return user


async def set_password(session: AsyncSession, user: User, password: str) -> None:
    """Change the password (checked as a new one); the caller commits and revokes sign-ins."""
    check_new(password)
    user.password_hash = await hash_password(password)
    user.updated_at = utcnow()
    session.add(user)


async def signup_mode(session: AsyncSession) -> SignupMode:
    setting = await session.get(SiteSetting, SIGNUP_SETTING)
    return SignupMode(setting.value) if setting else SignupMode.closed


async def set_signup_mode(session: AsyncSession, mode: SignupMode) -> None:
    setting = await session.get(SiteSetting, SIGNUP_SETTING) or SiteSetting(key=SIGNUP_SETTING, value=mode)
    setting.value = mode.value
    session.add(setting)  # the caller commits: with the site's other settings, at once


async def sign_in(
    session: AsyncSession, user: User, idle: timedelta, user_agent: str, address: str, most: int
) -> tuple[str, SignIn, list[str]]:
    """A new sign-in: the token for the cookie (never stored), its row, and the ids of the user's
    oldest sign-ins it ended, so that they keep at most `most` (to announce); commits."""
    token = new_secret(SIGN_IN_PREFIX)
    now = utcnow()
    row = SignIn(
        user_id=user.id,
        token_hash=digest(token),
        user_agent=user_agent[:300],
        address=address[:64],
        created_at=now,
        last_seen_at=now,
        expires_at=now + idle,
    )
    session.add(row)
    await session.flush()
    kept = (
        select(SignIn.id)
        .where(SignIn.user_id == user.id)
        .order_by(col(SignIn.created_at).desc(), col(SignIn.id).desc())
    )
    ended = list(await session.exec(kept.offset(most)))
    if ended:
        await session.exec(delete(SignIn).where(col(SignIn.id).in_(ended)))
    await session.commit()
    return token, row, ended


async def end_sign_ins(session: AsyncSession, user_id: str, keep: str | None = None) -> list[str]:
    """Delete every sign-in of the user but `keep`; returns their ids (to announce). Commits."""
    ids = list(
        await session.exec(select(SignIn.id).where(SignIn.user_id == user_id, col(SignIn.id) != (keep or "")))
    )
    if ids:
        await session.exec(delete(SignIn).where(col(SignIn.id).in_(ids)))
    await session.commit()
    return ids


async def create_key(session: AsyncSession, user: User, name: str) -> tuple[str, ApiKey]:
    """A new API key: the secret (shown once, never stored) and its row; commits."""
    secret = new_secret(API_KEY_PREFIX)
    row = ApiKey(user_id=user.id, name=name, key_hash=digest(secret))
    session.add(row)
    await session.commit()
    return secret, row
