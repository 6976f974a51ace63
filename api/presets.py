"""Prompt presets: a user's own, and those an admin shares with everyone; who may make or change which."""

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.accounts.authenticator import Principal
from api.owned import count_for_cap
from api.refusals import Conflict, Forbidden
from core.models import PromptPreset, User, UserRole, UserStatus, utcnow

MAX_PRESETS = 500
"""A user's own presets at most; the shared ones offered beside them are capped alike."""
SHARING_IS_FOR_ADMINS = "Only an admin can share a prompt with everyone."
SHARED_IS_FOR_ADMINS = (
    "Only an admin can change a prompt shared with everyone: unshare it first (or delete it)."
)
TOO_MANY = f"You already keep {MAX_PRESETS} prompts, as many as an account may: delete one first."


def _taken(command: str) -> Conflict:
    return Conflict(f"You already have a prompt called /{command}: choose another command.")


async def visible_presets(
    session: AsyncSession, user_id: str
) -> tuple[list[PromptPreset], list[PromptPreset]]:
    """The user's own presets, and those other active admins share with everyone, each by command."""
    own = await session.exec(
        select(PromptPreset)
        .where(PromptPreset.owner_id == user_id)
        .order_by(col(PromptPreset.command), col(PromptPreset.id))
        .limit(MAX_PRESETS)
    )
    shared = await session.exec(
        select(PromptPreset)
        .join(User, col(User.id) == col(PromptPreset.owner_id))
        .where(col(PromptPreset.shared), PromptPreset.owner_id != user_id)
        # An admin's sharing ends with their role: checked on every read, not when they shared.
        .where(User.role == UserRole.admin, User.status == UserStatus.active)
        .order_by(col(PromptPreset.command), col(PromptPreset.id))
        .limit(MAX_PRESETS)
    )
    return list(own), list(shared)


def _check_sharing(user: Principal, shared: bool | None) -> None:
    if shared and not user.is_admin:
        raise Forbidden(SHARING_IS_FOR_ADMINS)


async def _commit(session: AsyncSession, preset: PromptPreset) -> PromptPreset:
    """Stored, or Conflict when the owner took its command meanwhile (the unique constraint)."""
    command = preset.command
    session.add(preset)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise _taken(command) from None
    return preset


async def _command_taken(session: AsyncSession, owner_id: str, command: str) -> bool:
    found = await session.exec(
        select(PromptPreset.id).where(PromptPreset.owner_id == owner_id, PromptPreset.command == command)
    )
    return found.first() is not None


async def add_preset(session: AsyncSession, user: Principal, fields: dict[str, Any]) -> PromptPreset:
    """A new preset of the user's: Forbidden to share unless an admin, Conflict for a command the
    user already has or past MAX_PRESETS."""
    _check_sharing(user, fields.get("shared"))
    if await count_for_cap(session, PromptPreset, user.user_id) >= MAX_PRESETS:
        raise Conflict(TOO_MANY)
    if await _command_taken(session, user.user_id, fields["command"]):
        raise _taken(fields["command"])
    return await _commit(session, PromptPreset(**fields, owner_id=user.user_id))


async def change_preset(
    session: AsyncSession, user: Principal, preset: PromptPreset, changes: dict[str, Any]
) -> PromptPreset:
    """The user's preset with `changes`: the same refusals as `add_preset`, and Forbidden for a
    change by someone not an admin (any longer) to a preset that stays shared. Unsharing is anyone's."""
    _check_sharing(user, changes.get("shared"))
    if preset.shared and changes.get("shared", True) and not user.is_admin:
        raise Forbidden(SHARED_IS_FOR_ADMINS)
    command = changes.get("command")
    if (
        command is not None
        and command != preset.command
        and await _command_taken(session, user.user_id, command)
    ):
        raise _taken(command)
    for field, value in changes.items():
        setattr(preset, field, value)
    preset.updated_at = utcnow()
    return await _commit(session, preset)
