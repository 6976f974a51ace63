"""`relaychat users`: accounts from the command line, for an operator who cannot sign in."""

import argparse
import getpass
import sys

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import accounts
from core.accounts import AccountError
from core.db import make_engine, make_sessionmaker
from core.migrate import check_schema
from core.models import User, UserRole
from core.passwords import WeakPassword
from core.redis import connect, target_of
from core.revocations import announce
from core.settings import Settings, get_settings


def _password(prompt: str) -> str:
    """From a prompt at a terminal (asked twice), else the first line of standard input."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(prompt)
    if getpass.getpass("Again: ") != first:
        raise AccountError("The two passwords differ.")
    return first


async def _list(session: AsyncSession) -> None:
    for user in await session.exec(select(User).order_by(col(User.created_at))):
        print(f"{user.email}\t{user.name}\t{user.role}\t{user.status}")


async def _create(session: AsyncSession, args: argparse.Namespace) -> None:
    # The first account made here is the admin when asked, and takes the conversations from before.
    first = args.admin and await accounts.user_count(session) == 0
    role = UserRole.admin if args.admin else UserRole.user
    password = _password("Password: ")
    user = await accounts.create_user(session, args.email, password, name=args.name, role=role, first=first)
    print(f"relaychat: created {user.email} ({user.role})")


async def _reset_password(session: AsyncSession, settings: Settings, args: argparse.Namespace) -> None:
    user = await accounts.find_by_email(session, args.email)
    if user is None:
        raise AccountError(f"No account has the email address {args.email}.")
    await accounts.set_password(session, user, _password("New password: "))
    await session.commit()
    ended = await accounts.end_sign_ins(session, user.id)
    redis = connect(target_of(settings), 1, "relaychat-cli")
    try:
        await announce(redis, user_id=user.id)  # the API processes end its open streams too
    except Exception as error:
        print(f"relaychat: Redis did not answer ({error!r}): streams open now stay open until they end")
    finally:
        await redis.aclose()
    print(f"relaychat: new password for {user.email}; {len(ended)} session(s) signed out")


async def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    await check_schema(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            if args.action == "list":
                await _list(session)
            elif args.action == "create":
                await _create(session, args)
            else:
                await _reset_password(session, settings, args)
    except (AccountError, WeakPassword) as refusal:
        print(f"relaychat: {refusal}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    return 0
