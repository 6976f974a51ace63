"""API keys: a user's keys for programs, shown once when made and stored only as hashes."""

from fastapi import APIRouter, HTTPException, Response, status
from sqlmodel import col, select

from api.accounts.auth import UserDep
from api.accounts.schemas import KeyCreate, KeyCreated, KeyRead
from api.deps import DepsDep, SessionDep
from api.lookups import ApiKeyDep
from api.routing import CheckedRoute
from core import accounts
from core.models import ApiKey, User

router = APIRouter(route_class=CheckedRoute, prefix="/keys", tags=["keys"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_key(body: KeyCreate, principal: UserDep, session: SessionDep) -> KeyCreated:
    """A new key, in `key`: copy it now, it is never shown again. It acts as its user in every
    `/api` route, sent as `Authorization: Bearer <key>`."""
    user = await session.get(User, principal.user_id)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "This account no longer exists.")
    secret, row = await accounts.create_key(session, user, body.name.strip() or "key")
    return KeyCreated(**KeyRead.model_validate(row).model_dump(), key=secret)


@router.get("")
async def list_keys(principal: UserDep, session: SessionDep) -> list[KeyRead]:
    """The user's keys, newest first, without their secrets."""
    rows = await session.exec(
        select(ApiKey).where(ApiKey.user_id == principal.user_id).order_by(col(ApiKey.created_at).desc())
    )
    return [KeyRead.model_validate(row) for row in rows]


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_key(key: ApiKeyDep, session: SessionDep, deps: DepsDep) -> Response:
    """The key stops working within seconds on every API process, open streams included."""
    await session.delete(key)
    await session.commit()
    await deps.revocations.revoke(deps.redis, key_id=key.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
