"""The `generate` job: start an attempt at the answer, build its prompt, stream it, finish it."""

import logging
from enum import StrEnum
from functools import partial

from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from core import keys
from core.catalog import ModelSpec, UnknownModel, budgets
from core.endings import end_from_row
from core.failures import AnswerFailure
from core.models import SAMPLING_PARAMS, Conversation, Message, Source, Status, TitleSource
from core.tokens import counter_for
from worker import answers, finish
from worker.answers import AlreadyFinal, Started
from worker.deps import WorkerDeps
from worker.prompt import PromptTooLong, build_prompt
from worker.run import AnswerRun, Attempt, Fenced, Outcome
from worker.streaming import stream

logger = logging.getLogger(__name__)

# Redis or the database failing: nothing is wrong with the answer, so the job is tried again.
INFRASTRUCTURE = (RedisError, OSError, DBAPIError, PoolTimeout)

INTERNAL_ERROR = AnswerFailure("internal_error", "relaychat failed while generating this answer.")
QUESTION_GONE = AnswerFailure("internal_error", "This answer's question is gone.")


class Ending(StrEnum):
    """How one run of the job ended (ARQ logs it as the job's result)."""

    complete = "complete"
    stopped = "stopped"
    failed = "failed"
    deleted = "deleted"  # the answer is gone with its conversation
    repaired = "already finished"  # final already: its end was appended from the row
    fenced = "fenced"  # a newer attempt owns the answer


async def generate(deps: WorkerDeps, answer_id: str) -> Ending:
    """One attempt at the answer. Redis and database errors are raised: the job is tried again."""
    try:
        return await _generate(deps, answer_id)
    except Fenced:
        logger.warning("answer %s: deleted, or owned by a newer attempt; this one stops writing", answer_id)
        return Ending.fenced


async def _generate(deps: WorkerDeps, answer_id: str) -> Ending:
    started = await answers.start_attempt(deps.sessionmaker, answer_id, partial(_history_room, deps))
    if started is None:
        return Ending.deleted
    if isinstance(started, AlreadyFinal):
        await end_from_row(deps.log, started.answer)
        return Ending.repaired
    attempt_log = deps.log.for_attempt(answer_id, started.attempt)
    if not await attempt_log.begin():
        raise Fenced(answer_id)

    if started.attempt > deps.settings.max_attempts:
        gave_up = AnswerFailure("gave_up", f"The answer failed {started.attempt - 1} times; giving up.")
        return Ending(await finish.refuse(deps, attempt_log, gave_up, title_for=None))
    if await deps.redis.exists(keys.stop(answer_id)):
        return Ending(await finish.stopped_before_start(deps, started, attempt_log))
    title_for = _title_target(started)
    try:
        attempt = _plan(deps, started, title_for)
    except AnswerFailure as refusal:
        return Ending(await finish.refuse(deps, attempt_log, refusal, title_for))

    run = AnswerRun(attempt, attempt_log)
    try:
        outcome = await stream(deps, run)
    except (Fenced, *INFRASTRUCTURE):
        raise
    except Exception:
        # A bug must not leave the user watching a spinner until the sweep gives up.
        logger.exception("answer %s failed", answer_id)
        outcome = Outcome(Status.failed, error=INTERNAL_ERROR)
    return Ending(await finish.finish(deps, run, outcome))


def _title_target(started: Started) -> str | None:
    """The conversation to name after this answer: its first, while no title was typed or made."""
    conversation = started.conversation
    if conversation.source == Source.openai:
        return None  # named after its first question: no model call of its own for a title
    unnamed = conversation.title_source in (TitleSource.default, TitleSource.fallback)
    # The first answer of a conversation answers a question with nothing before it.
    first = started.question is not None and started.question.parent_id is None
    return conversation.id if unnamed and first else None


def _model_and_budgets(
    deps: WorkerDeps, message: Message, conversation: Conversation
) -> tuple[ModelSpec, int, int]:
    """The answer's model, the prompt's budget and the answer's; UnknownModel when the model is gone."""
    model = deps.catalog.get(message.model or conversation.model)
    prompt_budget, answer_tokens = budgets(model, deps.settings.max_answer_tokens, conversation.max_tokens)
    return model, prompt_budget, answer_tokens


def _history_room(deps: WorkerDeps, message: Message, conversation: Conversation) -> int | None:
    """The prompt's budget for the answer; None when its model is gone (`_plan` then refuses it)."""
    try:
        return _model_and_budgets(deps, message, conversation)[1]
    except UnknownModel:
        return None


def _plan(deps: WorkerDeps, started: Started, title_for: str | None) -> Attempt:
    """The attempt: its model, the answer's budget and the prompt, or a refusal (AnswerFailure)."""
    conversation = started.conversation
    try:
        model, budget, answer_tokens = _model_and_budgets(deps, started.answer, conversation)
    except UnknownModel as unknown:
        raise AnswerFailure("unknown_model", str(unknown)) from None
    if started.question is None:
        raise QUESTION_GONE
    history = started.history
    params = started.answer.params or {}
    system_prompt = params.get("instructions", conversation.system_prompt)
    try:
        prompt = build_prompt(system_prompt, history[:-1], history[-1], counter_for(model), budget)
    except PromptTooLong as too_long:
        raise AnswerFailure("too_long", str(too_long)) from None
    owner = conversation.owner_id
    sampling = {name: params[name] for name in SAMPLING_PARAMS if name in params}
    if (asked := params.get("max_tokens")) is not None:
        answer_tokens = min(answer_tokens, int(asked))
    return Attempt(
        started.answer.id, started.attempt, model, answer_tokens, prompt, title_for, owner, sampling
    )
