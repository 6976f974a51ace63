"""How the worker ends an answer: the final row first, then its usage and end in the log.

The row comes first so that a reader who sees the end can always read the same message back.
"""

import logging

from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError

from core import keys
from core.admission import OverLimit, count_usage
from core.catalog import ModelSpec, UnknownModel
from core.db import read_only
from core.endings import end_attempt
from core.eventlog import AttemptLog
from core.events import EventType
from core.failures import AnswerFailure
from core.jobs import enqueue_title
from core.limits import Limits, limits_of
from core.models import Conversation, Status, utcnow
from core.status import FirstToken, record_end
from core.tokens import counted_text, counter_for
from worker import answers
from worker.answers import FinalRow, Found
from worker.deps import WorkerDeps
from worker.run import AnswerRun, Fenced, Outcome

logger = logging.getLogger(__name__)


async def finish(deps: WorkerDeps, run: AnswerRun, outcome: Outcome) -> Status:
    """End a run that streamed: what it said, usage (the server's, else counted) and cost."""
    attempt = run.attempt
    said = run.said
    content, reasoning = said.text, said.reasoning
    # An app tool loop's calls are its steps, run and answered: not calls for a client to make.
    tool_calls = None if attempt.tools else said.tool_calls()
    counter = counter_for(attempt.model)
    # What a later prompt sends of the answer; its reasoning is never sent back.
    tokens = counter.count(counted_text(content, tool_calls)) if content or tool_calls else 0
    reasoning_tokens = outcome.reasoning_tokens
    if reasoning_tokens is None and reasoning:
        reasoning_tokens = counter.count(reasoning)
    completion_tokens = outcome.completion_tokens
    if completion_tokens is None:
        completion_tokens = tokens + (reasoning_tokens or 0)
    prompt_tokens = outcome.prompt_tokens if outcome.prompt_tokens is not None else attempt.prompt.tokens
    # A request the model refused before saying anything (and reported no usage for) costs nothing.
    billed = bool(said.size) or outcome.prompt_tokens is not None
    error = outcome.error
    row = FinalRow(
        content=content,
        reasoning=reasoning or None,
        tool_calls=tool_calls,
        reasoning_tokens=reasoning_tokens,
        tool_steps=run.steps or None,
        status=outcome.status,
        finish_reason=outcome.finish_reason,
        error=error.message if error else None,
        error_code=error.code if error else None,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        cost_usd=attempt.model.cost(prompt_tokens, completion_tokens) if billed else 0.0,
        first_token_at=run.first_token_at,
        included_ids=attempt.prompt.included_ids,
        sources=attempt.prompt.sources,
        tokens=tokens,
        tokenizer=counter.name,
    )
    first_token = FirstToken(run.queue_seconds, run.model_seconds) if run.first_token_at else None
    await _save_and_end(deps, run.attempt_log, row, attempt.title_for, first_token)
    await _count_usage(deps, attempt.owner, row)
    return outcome.status


async def refuse(
    deps: WorkerDeps, attempt_log: AttemptLog, failure: AnswerFailure, title_for: str | None
) -> Status:
    """End an answer that fails before the model is asked: given up, unknown model, too long."""
    row = FinalRow(
        content="",
        status=Status.failed,
        error=failure.message,
        error_code=failure.code,
        prompt_tokens=0,
        completion_tokens=0,
        cost_usd=0.0,
    )
    await _save_and_end(deps, attempt_log, row, title_for)
    return Status.failed


async def stopped_before_start(
    deps: WorkerDeps, found: Found, attempt_log: AttemptLog, checkpointed: str
) -> Status:
    """A Stop came while no worker ran the answer: keep what the last attempt had saved."""
    if checkpointed and await attempt_log.append((EventType.delta, {"text": checkpointed})) is None:
        raise Fenced(attempt_log.answer_id)
    model = _model_or_default(deps, found)
    counter = counter_for(model)
    completion_tokens = counter.count(checkpointed) if checkpointed else 0
    row = FinalRow(
        content=checkpointed,
        status=Status.stopped,
        prompt_tokens=0,
        completion_tokens=completion_tokens,
        cost_usd=model.cost(0, completion_tokens) if checkpointed else 0.0,
        tokens=completion_tokens,
        tokenizer=counter.name,
    )
    await _save_and_end(deps, attempt_log, row, title_for=None)
    await _count_usage(deps, found.conversation.owner_id, row)
    return Status.stopped


async def _save_and_end(
    deps: WorkerDeps,
    attempt_log: AttemptLog,
    row: FinalRow,
    title_for: str | None,
    first_token: FirstToken | None = None,
) -> None:
    message = await answers.save_final(deps.sessionmaker, attempt_log.answer_id, attempt_log.attempt, row)
    if message is None or not await end_attempt(attempt_log, message):
        raise Fenced(attempt_log.answer_id)
    # The Stop's key goes, and the end counts in its minute for the Status page: one round trip.
    async with deps.redis.pipeline(transaction=False) as pipe:
        pipe.delete(keys.stop(attempt_log.answer_id))
        record_end(pipe, message, first_token)
        await pipe.execute()
    if title_for:
        await _ask_for_title(deps, title_for)


async def _count_usage(deps: WorkerDeps, owner: str | None, row: FinalRow) -> None:
    """Count the answer against its owner's daily tokens and monthly cost (core/admission.py)."""
    tokens = row.prompt_tokens + row.completion_tokens
    if owner is None or (tokens == 0 and not row.cost_usd):
        return
    try:
        await count_usage(deps.redis, owner, tokens, row.cost_usd, utcnow())
    except RedisError as error:
        # The answer is final already; its usage stays in the database, where the page reads it.
        logger.warning("could not count the usage of %s: %r", owner, error)


async def _ask_for_title(deps: WorkerDeps, conversation_id: str) -> None:
    """A job of the conversation's owner's, within their limits (core/jobs.py)."""
    # After the answer's end, so a one-request-at-a-time model never makes the answer wait.
    try:
        async with deps.sessionmaker() as session:
            await read_only(session)
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None:
                return  # deleted meanwhile
            owner = conversation.owner_id
            limits = await limits_of(session, owner) if owner else Limits()
        await enqueue_title(deps.redis, conversation_id, owner, limits, fair=deps.settings.fair_dispatch)
    except OverLimit:
        pass  # its owner is at their limits: the conversation keeps its fallback title
    except (RedisError, DBAPIError) as error:
        # The answer is final already; the conversation keeps its fallback title.
        logger.warning("could not ask for a title of %s: %r", conversation_id, error)


def _model_or_default(deps: WorkerDeps, found: Found) -> ModelSpec:
    try:
        return deps.catalog.get(found.answer.model or found.conversation.model)
    except UnknownModel:
        return deps.catalog.get(None)
