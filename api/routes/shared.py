"""What a shared link shows, to anyone who has it, signed in or not (the page is `/share/<token>`,
api/web.py). Its token is the only credential: an unknown, replaced or revoked one is a 404, as is
every one while an admin has sharing turned off."""

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import SessionDep
from api.refusals import NotFound
from api.routing import CheckedRoute
from core import shares
from core.shares import SharedConversation

router = APIRouter(route_class=CheckedRoute, tags=["shares"])

LINK_NOT_FOUND = "This shared link does not exist, or its owner has stopped sharing it."
# A token is `secrets.token_urlsafe(32)`: 43 characters.
Token = Annotated[str, Path(min_length=1, max_length=64, description="The link's secret")]


@router.get("/shared/{token}")
async def read_shared(token: Token, session: SessionDep) -> SharedConversation:
    """The shared copy: its title, when it was made, and its messages, oldest first."""
    found = await shares.shared(session, token)
    if found is None:
        raise NotFound(LINK_NOT_FOUND)
    return found
