from fastapi import APIRouter
from sqlmodel import select

from api.deps import RedisDep, RelayDep, SessionDep
from core.models import Conversation

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(session: SessionDep, redis: RedisDep, relay: RelayDep) -> dict[str, object]:
    await session.exec(select(Conversation.id).limit(1))
    await redis.ping()
    return {"status": "ok", "followed_logs": relay.followed}
