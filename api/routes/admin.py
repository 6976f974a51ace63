"""The admin's routes: accounts (add, approve, change role, disable, delete), their usage, the
signup mode and sharing by link, and the system's status.

Admins manage accounts, not other people's conversations: nothing here shows one.
"""

from typing import Literal

from fastapi import APIRouter, HTTPException, Response, status
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.accounts.auth import AdminDep
from api.accounts.schemas import AdminUserCreate, AdminUserUpdate, SiteSettings, SiteSettingsUpdate, UserRead
from api.deletion import delete_conversations, forget_bytes
from api.deps import DepsDep, SessionDep
from api.routing import CheckedRoute
from api.schemas import UsageDays
from core import accounts, shares
from core import status as system_status
from core.accounts import AccountError
from core.models import Conversation, StoredFile, User, UserRole, UserStatus, utcnow
from core.passwords import WeakPassword
from core.status import SystemStatus
from core.usage import UserUsage, by_user, window_start

router = APIRouter(route_class=CheckedRoute, prefix="/admin", tags=["admin"])

LAST_ADMIN = "relaychat needs at least one active admin: make another admin first."


async def _account(session: AsyncSession, user_id: str) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
    return user


async def _other_active_admins(session: AsyncSession, user_id: str) -> int:
    """Active admins but this one. Their rows are locked (Postgres; SQLite's writes are serialized
    anyway): two admins demoting each other at once cannot both see the other as the one left."""
    others = await session.exec(
        select(User.id)
        .where(User.role == UserRole.admin, User.status == UserStatus.active, col(User.id) != user_id)
        .with_for_update()
    )
    return len(list(others))


@router.get("/users")
async def list_users(_admin: AdminDep, session: SessionDep) -> list[UserRead]:
    """Every account, oldest first."""
    rows = await session.exec(select(User).order_by(col(User.created_at), col(User.id)))
    return [UserRead.model_validate(user) for user in rows]


@router.post("/users", status_code=status.HTTP_201_CREATED)
async def create_user(body: AdminUserCreate, _admin: AdminDep, session: SessionDep) -> UserRead:
    """An active account with the role given; its user signs in with this password."""
    try:
        user = await accounts.create_user(session, body.email, body.password, name=body.name, role=body.role)
    except accounts.EmailTaken as taken:
        raise HTTPException(status.HTTP_409_CONFLICT, str(taken)) from None
    except (AccountError, WeakPassword) as refusal:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(refusal)) from None
    return UserRead.model_validate(user)


@router.patch("/users/{user_id}")
async def update_user(
    user_id: str, body: AdminUserUpdate, _admin: AdminDep, session: SessionDep, deps: DepsDep
) -> UserRead:
    """Approve (`status: active`), disable, or change the role. Takes effect within seconds on every
    API process, the user's open streams included."""
    user = await _account(session, user_id)
    demoted = body.role is not None and body.role != UserRole.admin
    stopped = body.status is not None and body.status != UserStatus.active
    if (
        user.role == UserRole.admin
        and (demoted or stopped)
        and not await _other_active_admins(session, user.id)
    ):
        raise HTTPException(status.HTTP_409_CONFLICT, LAST_ADMIN)
    if body.role is not None:
        user.role = body.role
    if body.status is not None:
        user.status = body.status
    user.updated_at = utcnow()
    session.add(user)
    await session.commit()
    await deps.revocations.revoke(deps.redis, user_id=user.id)
    return UserRead.model_validate(user)


@router.delete("/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_user(user_id: str, _admin: AdminDep, session: SessionDep, deps: DepsDep) -> Response:
    """The account, its conversations (running answers stopped), files, sign-ins and keys."""
    user = await _account(session, user_id)
    if user.role == UserRole.admin and not await _other_active_admins(session, user.id):
        raise HTTPException(status.HTTP_409_CONFLICT, LAST_ADMIN)
    # Disabled first, everywhere: no conversation of theirs can be made while theirs are deleted.
    user.status = UserStatus.disabled
    session.add(user)
    await session.commit()
    await deps.revocations.revoke(deps.redis, user_id=user_id)
    owned = list(await session.exec(select(Conversation.id).where(Conversation.owner_id == user_id)))
    await delete_conversations(session, deps.log, deps.redis, deps.files, owned)
    files = list(await session.exec(select(StoredFile.id).where(StoredFile.owner_id == user_id)))
    user = await _account(session, user_id)
    await session.delete(user)  # its sessions, keys and files go with it (ON DELETE CASCADE)
    await session.commit()
    await forget_bytes(deps.files, files)
    await deps.revocations.revoke(deps.redis, user_id=user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


UsageOrder = Literal["cost", "tokens", "answers", "email"]


@router.get("/usage")
async def list_usage(
    _admin: AdminDep,
    session: SessionDep,
    days: UsageDays = 30,
    sort: UsageOrder = "cost",
) -> list[UserUsage]:
    """Every account's tokens, cost and answers over the last `days` days, the most first (by
    email: A to Z)."""
    rows = await by_user(session, window_start(utcnow(), days))
    if sort == "email":
        return sorted(rows, key=lambda row: row.email)
    measures = {
        "cost": lambda row: row.cost_usd,
        "tokens": lambda row: row.prompt_tokens + row.completion_tokens,
        "answers": lambda row: row.answers,
    }
    return sorted(rows, key=measures[sort], reverse=True)


async def _settings(session: AsyncSession) -> SiteSettings:
    return SiteSettings(signup=await accounts.signup_mode(session), sharing=await shares.sharing_on(session))


@router.get("/settings")
async def read_settings(_admin: AdminDep, session: SessionDep) -> SiteSettings:
    return await _settings(session)


@router.patch("/settings")
async def update_settings(body: SiteSettingsUpdate, _admin: AdminDep, session: SessionDep) -> SiteSettings:
    """`signup`: `open` (anyone, active at once), `approval` (an admin approves), `closed`.
    `sharing`: off, no link can be made and none opens (they are kept: on again, they open)."""
    if body.signup is not None:
        await accounts.set_signup_mode(session, body.signup)
    if body.sharing is not None:
        await shares.set_sharing(session, body.sharing)
    await session.commit()  # once: both settings change, or neither
    return await _settings(session)


@router.get("/status")
async def read_status(_admin: AdminDep, deps: DepsDep) -> SystemStatus:
    """The queue, the workers and the answers now and, per minute, over the last hour: from Redis,
    so every API process on every host tells the same (core/status.py). The Status page polls it."""
    return await system_status.read(deps.redis, deps.settings.worker_heartbeat_seconds)
