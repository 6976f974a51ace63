"""`GET /api/usage`: the signed-in user's tokens and cost by day and model, and their limits."""

from dataclasses import asdict

from fastapi import APIRouter
from pydantic import BaseModel
from redis.exceptions import RedisError

from api.accounts.auth import UserDep
from api.accounts.schemas import LimitsBody
from api.deps import DepsDep, SessionDep
from api.routing import CheckedRoute
from api.schemas import UsageDays
from api.uploads import storage_used
from core import keys
from core.admission import MICRO_USD, day_of, month_of
from core.limits import limits_of
from core.models import utcnow
from core.usage import DayUsage, UsageRow, by_day, window_start

router = APIRouter(route_class=CheckedRoute, tags=["usage"])


class UsageReport(BaseModel):
    days: int
    by_day: list[DayUsage]  # oldest day first; a day with no answers has no row
    total: UsageRow
    limits: LimitsBody  # what applies to the user now (null: unlimited)
    tokens_today: int | None  # what the limits count so far (null: not known while Redis is out)
    cost_this_month_usd: float | None
    storage_used_bytes: int  # what the user's files take, as the quota (`limits.storage_mb`) counts it


@router.get("/usage")
async def read_usage(user: UserDep, session: SessionDep, deps: DepsDep, days: UsageDays = 30) -> UsageReport:
    """Your answers' tokens and cost by UTC day and model over the last `days` days, with your
    limits and how much of today's tokens, this month's cost and your storage they have counted."""
    now = utcnow()
    rows = await by_day(session, user.user_id, window_start(now, days))
    total = UsageRow(
        prompt_tokens=sum(r.prompt_tokens for r in rows),
        completion_tokens=sum(r.completion_tokens for r in rows),
        cost_usd=sum(r.cost_usd for r in rows),
        answers=sum(r.answers for r in rows),
    )
    limits = await limits_of(session, user.user_id)
    stored = await storage_used(session, user.user_id)
    try:
        tokens, cost = await deps.redis.mget(
            keys.tokens_on(user.user_id, day_of(now)), keys.cost_in(user.user_id, month_of(now))
        )
        tokens_today, cost_this_month = int(tokens or 0), int(cost or 0) / MICRO_USD
    except RedisError:
        tokens_today, cost_this_month = None, None
    return UsageReport(
        days=days,
        by_day=rows,
        total=total,
        limits=LimitsBody(**asdict(limits)),
        tokens_today=tokens_today,
        cost_this_month_usd=cost_this_month,
        storage_used_bytes=stored,
    )
