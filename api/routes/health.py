from fastapi import APIRouter
from sqlmodel import text

from api.deps import RedisDep, RelayDep, SessionDep

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(session: SessionDep, redis: RedisDep, relay: RelayDep) -> dict[str, object]:
    await session.exec(text("SELECT 1"))
    await redis.ping()
    return {"status": "ok", "followed_logs": relay.followed}
