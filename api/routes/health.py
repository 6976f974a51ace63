"""`GET /api/health`: the load balancer's probe of the database, Redis and the relay."""

from fastapi import APIRouter, HTTPException, status
from sqlmodel import select

from api.deps import DepsDep, SessionDep
from api.routing import CheckedRoute
from core.models import Conversation

router = APIRouter(route_class=CheckedRoute, tags=["health"])


@router.get("/health")
async def health(session: SessionDep, deps: DepsDep) -> dict[str, str]:
    """200 when the database and Redis answer and the relay reads; a load balancer's probe."""
    await session.exec(select(Conversation.id).limit(1))
    await deps.redis.ping()
    if not deps.relay.alive:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "The stream relay has stopped")
    return {"status": "ok"}  # open to anyone: it says nothing about what the deployment is doing
