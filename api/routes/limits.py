"""The admin's routes for limits: each role's defaults, and each user's own overrides.

A change applies to the next answer a user sends (on other API processes within the two seconds
their sign-in cache keeps what it read); answers already admitted keep their place.
"""

from dataclasses import asdict

from fastapi import APIRouter, HTTPException, status

from api.accounts.auth import AdminDep
from api.accounts.schemas import LimitsBody, RoleLimitsBody, UserLimitsRead
from api.deps import DepsDep, SessionDep
from api.routing import CheckedRoute
from core.limits import LIMIT_NAMES, Limits, defaults_of, limits_of, overrides
from core.models import RoleLimit, User, UserRole

router = APIRouter(route_class=CheckedRoute, prefix="/admin", tags=["admin"])


@router.get("/limits")
async def read_role_limits(_admin: AdminDep, session: SessionDep) -> RoleLimitsBody:
    """Each role's default limits (null: unlimited)."""
    return RoleLimitsBody(
        **{role.value: LimitsBody(**asdict(await defaults_of(session, role))) for role in UserRole}
    )


@router.put("/limits")
async def replace_role_limits(
    body: RoleLimitsBody, _admin: AdminDep, session: SessionDep, deps: DepsDep
) -> RoleLimitsBody:
    """Every role's default limits at once (null: unlimited)."""
    for role in UserRole:
        row = await session.get(RoleLimit, role) or RoleLimit(role=role)
        for name, value in getattr(body, role.value).model_dump().items():
            setattr(row, name, value)
        session.add(row)
    await session.commit()
    deps.authenticator.forget_all()  # the limits its principals carry are the old ones
    return await read_role_limits(_admin, session)


@router.get("/users/{user_id}/limits")
async def read_user_limits(user_id: str, _admin: AdminDep, session: SessionDep) -> UserLimitsRead:
    """The user's own limits (null: the role's) and what applies to them."""
    user = await session.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
    return UserLimitsRead(
        user_id=user.id,
        own=LimitsBody(**asdict(overrides(user))),
        effective=LimitsBody(**asdict(await limits_of(session, user.id))),
    )


@router.put("/users/{user_id}/limits")
async def replace_user_limits(
    user_id: str, body: LimitsBody, _admin: AdminDep, session: SessionDep, deps: DepsDep
) -> UserLimitsRead:
    """The user's own limits, all at once: a number overrides the role's, null takes the role's."""
    user = await session.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
    own = Limits(**body.model_dump())
    for name in LIMIT_NAMES:
        setattr(user, f"limit_{name}", getattr(own, name))
    session.add(user)
    await session.commit()
    deps.authenticator.forget(user_id=user_id)  # the limits its principals carry are the old ones
    return await read_user_limits(user_id, _admin, session)
