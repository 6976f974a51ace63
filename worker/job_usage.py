"""What a job other than an answer cost its owner (a title's model call, a document's vectors):
recorded in the database and counted against their limits."""

import logging

from redis.exceptions import RedisError

from core.admission import count_usage
from core.catalog import ModelSpec
from core.models import JobUsage
from worker.deps import WorkerDeps

logger = logging.getLogger(__name__)


async def record_job_usage(
    deps: WorkerDeps, owner: str, kind: str, spec: ModelSpec, prompt_tokens: int, completion_tokens: int = 0
) -> None:
    usage = JobUsage(
        user_id=owner,
        kind=kind,
        model=spec.id,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        cost_usd=spec.cost(prompt_tokens, completion_tokens),
    )
    async with deps.sessionmaker() as session:
        session.add(usage)
        await session.commit()
    try:
        tokens = prompt_tokens + completion_tokens
        await count_usage(deps.redis, owner, tokens, usage.cost_usd, usage.created_at)
    except RedisError as error:  # the record is in the database, which the usage page reads
        logger.warning("could not count a %s's usage for %s: %r", kind, owner, error)
