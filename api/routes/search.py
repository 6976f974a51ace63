"""`GET /api/search`: the conversations and messages that have every word of a query."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.accounts.auth import UserDep
from api.deps import SessionDep
from api.routing import CheckedRoute
from core.search import SearchResults, search

router = APIRouter(route_class=CheckedRoute, tags=["search"])


@router.get("/search")
async def search_conversations(
    user: UserDep,
    session: SessionDep,
    q: Annotated[
        str, Query(min_length=1, max_length=200, description="Words to find; the last may be a prefix")
    ],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> SearchResults:
    """The user's conversations whose title has every word, and messages whose text has every
    word, newest first, each with the matching snippet."""
    return await search(await session.connection(), user.user_id, q, limit)
