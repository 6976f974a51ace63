"""Usage from the database: a user's tokens and cost by day and model, and every user's totals.

Counted from the answers themselves (their model, prompt and completion tokens, and cost), by the
UTC day they were asked. The limits' counters in Redis (core/admission.py) are a running tally of
the same numbers, kept for the admission check; these are the record.
"""

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Conversation, JobUsage, Message, Role, User


class UsageRow(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    answers: int = 0


class DayUsage(UsageRow):
    day: str  # YYYY-MM-DD, UTC
    model: str


class UserUsage(UsageRow):
    user_id: str
    email: str
    name: str


def _day(session: AsyncSession, column: Any) -> Any:
    """The UTC day of a stored moment, as `YYYY-MM-DD`, in the session's database."""
    if session.get_bind().dialect.name == "sqlite":
        return sa.func.strftime("%Y-%m-%d", column)  # stored as UTC text
    return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM-DD")


def _sums(source: Any) -> list[Any]:
    return [
        sa.func.coalesce(sa.func.sum(source.c.prompt_tokens), 0).label("prompt_tokens"),
        sa.func.coalesce(sa.func.sum(source.c.completion_tokens), 0).label("completion_tokens"),
        sa.func.coalesce(sa.func.sum(source.c.cost_usd), 0.0).label("cost_usd"),
        sa.func.coalesce(sa.func.sum(source.c.answers), 0).label("answers"),
    ]


def _priced(session: AsyncSession, table: Any, owner: Any, answers: int) -> Any:
    """One priced thing's row: its owner, UTC day, model, tokens, cost, and whether an answer."""
    return sa.select(
        owner.label("user_id"),
        _day(session, table.created_at).label("day"),
        sa.func.coalesce(table.model, "").label("model"),
        table.prompt_tokens.label("prompt_tokens"),
        table.completion_tokens.label("completion_tokens"),
        table.cost_usd.label("cost_usd"),
        sa.literal(answers).label("answers"),
    )


def _costs_since(session: AsyncSession, since: datetime) -> Any:
    """Every priced thing since `since`, one row each: the answers relaychat's workers gave (an
    imported one's figures are the file's), and what other jobs cost (`job_usage`)."""
    message: Any = Message.__table__  # type: ignore[attr-defined]
    job: Any = JobUsage.__table__  # type: ignore[attr-defined]
    answers = (
        _priced(session, message.c, col(Conversation.owner_id), 1)
        .select_from(Message)
        .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        .where(
            col(Message.role) == Role.assistant,
            col(Message.imported).is_(False),
            col(Message.created_at) >= since,
            col(Message.cost_usd).is_not(None),
        )
    )
    jobs = _priced(session, job.c, job.c.user_id, 0).where(job.c.created_at >= since)
    return sa.union_all(answers, jobs).subquery()


async def by_day(session: AsyncSession, user_id: str, since: datetime) -> list[DayUsage]:
    """The user's answers and jobs since `since`, summed by UTC day and model, oldest day first."""
    costs = _costs_since(session, since)
    connection = await session.connection()
    rows = await connection.execute(
        sa.select(costs.c.day, costs.c.model, *_sums(costs))
        .where(costs.c.user_id == user_id)
        .group_by(costs.c.day, costs.c.model)
        .order_by(costs.c.day, costs.c.model)
    )
    return [DayUsage.model_validate(row._asdict()) for row in rows]


async def by_user(session: AsyncSession, since: datetime) -> list[UserUsage]:
    """Every account's totals since `since` (accounts with none at zero), heaviest cost first."""
    costs = _costs_since(session, since)
    sums = sa.select(costs.c.user_id, *_sums(costs)).group_by(costs.c.user_id).subquery()
    connection = await session.connection()
    rows = await connection.execute(
        sa.select(
            col(User.id).label("user_id"),
            col(User.email),
            col(User.name),
            *(sa.func.coalesce(sums.c[name], 0).label(name) for name in UsageRow.model_fields),
        )
        .outerjoin(sums, sums.c.user_id == col(User.id))
        .order_by(sa.desc("cost_usd"), col(User.email))
    )
    return [UserUsage.model_validate(row._asdict()) for row in rows]


def window_start(now: datetime, days: int) -> datetime:
    """The start of the UTC day `days - 1` days before `now`'s: `days` whole days, today included."""
    return (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
