"""A user's limits: their role's defaults, with the admin's overrides for them on top."""

from dataclasses import dataclass, fields

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import RoleLimit, User, UserRole


@dataclass(frozen=True)
class Limits:
    """None: unlimited."""

    running_answers: int | None = None
    waiting_answers: int | None = None
    tokens_per_day: int | None = None
    cost_per_month_usd: float | None = None
    storage_mb: int | None = None  # what the user's uploaded files may take


LIMIT_NAMES = tuple(field.name for field in fields(Limits))


def role_limits(row: RoleLimit | None) -> Limits:
    if row is None:
        return Limits()
    return Limits(**{name: getattr(row, name) for name in LIMIT_NAMES})


def overrides(user: User) -> Limits:
    """The account's own limits, None where the role's apply."""
    return Limits(**{name: getattr(user, f"limit_{name}") for name in LIMIT_NAMES})


def combine(role: Limits, own: Limits) -> Limits:
    return Limits(
        **{
            name: own_value if (own_value := getattr(own, name)) is not None else getattr(role, name)
            for name in LIMIT_NAMES
        }
    )


async def limits_of(session: AsyncSession, user_id: str) -> Limits:
    """What applies to the user now, in one read; unlimited if the account is gone."""
    found = (
        await session.exec(
            select(User, RoleLimit)
            .join(RoleLimit, col(RoleLimit.role) == col(User.role), isouter=True)
            .where(User.id == user_id)
        )
    ).first()
    if found is None:
        return Limits()
    user, role = found
    return combine(role_limits(role), overrides(user))


async def defaults_of(session: AsyncSession, role: UserRole) -> Limits:
    return role_limits(await session.get(RoleLimit, role))
