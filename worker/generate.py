"""The `generate` job: read the answer, build its prompt, ask the model while the attempt starts,
stream it, finish it."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, timedelta
from enum import StrEnum
from functools import partial
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from core import keys, logs, metrics, tracing
from core.catalog import ModelSpec, UnknownModel, budgets
from core.endings import end_from_row
from core.eventlog import AttemptLog
from core.failures import AnswerFailure
from core.files.extract import Unreadable
from core.files.store import FileMissing
from core.models import MODEL_PARAMS, Conversation, Message, Source, Status, TitleSource, utcnow
from core.tokens import counter_for
from worker import answers, file_waits, finish, tool_loop
from worker.answers import AlreadyFinal, Found
from worker.deps import WorkerDeps
from worker.images import image_parts
from worker.meaning import rank_by_meaning
from worker.prompt import PromptTooLong, build_prompt
from worker.run import AnswerRun, Attempt, Fenced, Outcome, StopBeforeStart
from worker.streaming import stream

logger = logging.getLogger(__name__)

# Redis or the database failing: nothing is wrong with the answer, so the job is tried again.
INFRASTRUCTURE = (RedisError, OSError, DBAPIError, PoolTimeout)

INTERNAL_ERROR = AnswerFailure("internal_error", "relaychat failed while generating this answer.")
QUESTION_GONE = AnswerFailure("internal_error", "This answer's question is gone.")
# How long an answer waits for its files to be read: more than a file's ingestion takes with all
# its tries (worker/arq_worker.py); past it, the file's reading is taken to have failed for good.
FILES_WAIT = timedelta(minutes=30)


class Ending(StrEnum):
    """How one run of the job ended (ARQ logs it as the job's result)."""

    complete = "complete"
    stopped = "stopped"
    failed = "failed"
    deleted = "deleted"  # the answer is gone with its conversation
    repaired = "already finished"  # final already: its end was appended from the row
    fenced = "fenced"  # a newer attempt owns the answer
    waiting = "waiting for its files"  # parked, no attempt started (worker/file_waits.py)


async def generate(deps: WorkerDeps, answer_id: str) -> Ending:
    """One attempt at the answer. Redis and database errors are raised: the job is tried again."""
    try:
        return await _generate(deps, answer_id)
    except Fenced:
        logger.warning("answer %s: deleted, or owned by a newer attempt; this one stops writing", answer_id)
        return Ending.fenced


# How often an answer that changed between its read and its start is read again (a Stop, a
# deletion, or a zombie's attempt): each time it ends up final, gone, or started by this one.
START_TRIES = 3


class Raced(Exception):
    """The answer changed between its read and its start: it is read again."""


async def _generate(deps: WorkerDeps, answer_id: str) -> Ending:
    job_started = time.monotonic()
    for _ in range(START_TRIES):
        try:
            return await _attempt(deps, answer_id, job_started)
        except Raced:
            logger.info("answer %s changed before its attempt started; reading it again", answer_id)
    raise Fenced(answer_id)


async def _attempt(deps: WorkerDeps, answer_id: str, job_started: float) -> Ending:
    """Read the answer, ask the model, and start the attempt while the model thinks."""
    with tracing.span("read", answer_id=answer_id):
        found = await answers.read_answer(deps.sessionmaker, answer_id, partial(_history_room, deps))
        if found is not None and not isinstance(found, AlreadyFinal):
            found = await rank_by_meaning(deps, found)
    if found is None:
        return Ending.deleted
    if isinstance(found, AlreadyFinal):
        await end_from_row(deps.log, found.answer)
        return Ending.repaired
    tracing.annotate(attempt=found.attempt)
    attempt_log = deps.log.for_attempt(answer_id, found.attempt)
    title_for = _title_target(found)
    if found.waiting:
        return await _wait_for_files(deps, found, attempt_log, title_for)
    if found.attempt > deps.settings.max_attempts:
        gave_up = AnswerFailure("gave_up", f"The answer failed {found.attempt - 1} times; giving up.")
        return await _refuse(deps, found, attempt_log, gave_up, title_for=None)
    if found.unreadable is not None:
        unreadable = AnswerFailure("file_unreadable", found.unreadable)
        return await _refuse(deps, found, attempt_log, unreadable, title_for)
    try:
        with tracing.span("plan", answer_id=answer_id, attempt=found.attempt):
            attempt = _plan(deps, found, title_for, await _images(deps, found))
    except AnswerFailure as refusal:
        return await _refuse(deps, found, attempt_log, refusal, title_for)
    tracing.annotate(model=attempt.model.id)

    run = AnswerRun(attempt, attempt_log, job_started)
    tool_loop.offer(run, deps.settings.max_tool_steps)
    try:
        # Watched from the first round to the last: a Stop between rounds is heard as one within.
        with deps.signals.watch_stop(run):
            if run.steps:  # an earlier attempt's tool steps: this one goes on from them
                await _start(deps, attempt_log)
                run.started = True
                with tracing.span("tools", **_traced(run)):
                    go_on = await tool_loop.resume(deps, run, found.answer.content)
                outcome = await _asked(deps, run, _started) if go_on else Outcome(Status.stopped)
            else:
                outcome = await _asked(deps, run, partial(_start, deps, attempt_log))
            outcome = await _tool_rounds(deps, run, outcome)
    except StopBeforeStart as stop:
        return Ending(await finish.stopped_before_start(deps, found, attempt_log, stop.checkpointed))
    except (Fenced, Raced, *INFRASTRUCTURE):
        raise
    except Exception:
        if not run.started:
            raise  # the attempt is not the answer's: it may not end it (ARQ records the job's error)
        # A bug must not leave the user watching a spinner until the sweep gives up.
        logger.exception("answer %s failed", answer_id)
        outcome = Outcome(Status.failed, error=INTERNAL_ERROR)
    with tracing.span("finish", **_traced(run)):
        return Ending(await finish.finish(deps, run, outcome))


def _traced(run: AnswerRun) -> dict[str, Any]:
    """A span's attributes for the run: its answer, attempt and model (never its text)."""
    return {"answer_id": run.answer_id, "attempt": run.attempt.number, "model": run.attempt.model.id}


async def _asked(deps: WorkerDeps, run: AnswerRun, start: Callable[[], Awaitable[None]]) -> Outcome:
    """One round of the model (`stream`), as a span of the answer's trace: its first token is an
    event of it (worker/streaming.py)."""
    with tracing.span("model", **_traced(run)):
        outcome = await stream(deps, run, start)
        tracing.annotate(outcome=outcome.status.value)
        return outcome


async def _wait_for_files(
    deps: WorkerDeps, found: Found, attempt_log: AttemptLog, title_for: str | None
) -> Ending:
    """The question's files are still being read: the job parks until they are (no attempt starts;
    worker/file_waits.py), or, after FILES_WAIT, the answer fails."""
    created = found.answer.created_at
    if utcnow() - (created if created.tzinfo else created.replace(tzinfo=UTC)) > FILES_WAIT:
        minutes = int(FILES_WAIT.total_seconds() // 60)
        sentence = f"The attached files were still being read after {minutes} minutes; send them again."
        return await _refuse(deps, found, attempt_log, AnswerFailure("file_unreadable", sentence), title_for)
    await file_waits.park(deps.redis, found.answer.id, found.waiting, fair=deps.settings.fair_dispatch)
    logger.info("answer %s waits for %d files to be read", found.answer.id, len(found.waiting))
    return Ending.waiting


async def _started() -> None:
    """A later round of a tool loop: the attempt has started already."""


async def _tool_rounds(deps: WorkerDeps, run: AnswerRun, outcome: Outcome) -> Outcome:
    """While the model calls the conversation's tools: run the calls, ask it again with their
    results. Every round's usage counts (the servers' figures summed, when each gave some)."""
    rounds = [outcome]
    while run.attempt.tools and outcome.status == Status.complete and outcome.finish_reason == "tool_calls":
        with tracing.span("tools", **_traced(run)):
            round_end = await tool_loop.run_calls(deps, run)
        if round_end is None:
            outcome = Outcome(Status.stopped)
            break
        outcome = await _asked(deps, run, round_end)
        rounds.append(outcome)
    if len(rounds) == 1:
        return outcome
    reported = [o for o in rounds if o.prompt_tokens is not None]
    if len(reported) != len(rounds):
        return replace(outcome, prompt_tokens=None, completion_tokens=None, reasoning_tokens=None)
    return replace(
        outcome,
        prompt_tokens=sum(o.prompt_tokens or 0 for o in rounds),
        completion_tokens=sum(o.completion_tokens or 0 for o in rounds),
        reasoning_tokens=sum(o.reasoning_tokens or 0 for o in rounds),
    )


async def _refuse(
    deps: WorkerDeps, found: Found, attempt_log: AttemptLog, refusal: AnswerFailure, title_for: str | None
) -> Ending:
    """End the answer without asking the model, once its attempt has started."""
    try:
        await _start(deps, attempt_log)
    except StopBeforeStart as stop:
        return Ending(await finish.stopped_before_start(deps, found, attempt_log, stop.checkpointed))
    with tracing.span("finish", answer_id=found.answer.id, attempt=found.attempt, refused=refusal.code):
        return Ending(await finish.refuse(deps, attempt_log, refusal, title_for))


async def _start(deps: WorkerDeps, attempt_log: AttemptLog) -> None:
    """Make the attempt the answer's: its row, then its log.

    Raises Raced when the answer changed since it was read, Fenced when a newer attempt owns its
    log, StopBeforeStart (with the text the last attempt saved) when a Stop is waiting for it."""
    answer_id = attempt_log.answer_id
    logs.ATTEMPT.set(attempt_log.attempt)
    with metrics.timed(metrics.DATABASE_SECONDS, "start_attempt"):
        checkpointed = await answers.start_attempt(deps.sessionmaker, answer_id, attempt_log.attempt)
    if checkpointed is None:
        raise Raced(answer_id)
    began, stop_waiting = await asyncio.gather(attempt_log.begin(), deps.redis.exists(keys.stop(answer_id)))
    if not began:
        raise Fenced(answer_id)
    # The attempt is the answer's now: a first one starts the answer, a later one takes it over.
    (metrics.ANSWERS_STARTED if attempt_log.attempt == 1 else metrics.ANSWERS_TAKEN_OVER).inc()
    if stop_waiting:
        raise StopBeforeStart(answer_id, checkpointed)


def _title_target(found: Found) -> str | None:
    """The conversation to name after this answer: its first, while no title was typed or made."""
    conversation = found.conversation
    if conversation.source == Source.openai:
        return None  # named after its first question: no model call of its own for a title
    unnamed = conversation.title_source in (TitleSource.default, TitleSource.fallback)
    # The first answer of a conversation answers a question with nothing before it.
    first = found.question is not None and found.question.parent_id is None
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


async def _images(deps: WorkerDeps, found: Found) -> list[dict[str, Any]]:
    """The question's images as the model sees them; AnswerFailure when one cannot be read now."""
    if not found.images:
        return []
    try:
        return await image_parts(deps.files, found.images)
    except (FileMissing, Unreadable) as error:
        raise AnswerFailure("file_unreadable", f"An attached image could not be read: {error}") from None


def _plan(deps: WorkerDeps, found: Found, title_for: str | None, images: list[dict[str, Any]]) -> Attempt:
    """The attempt: its model, the answer's budget and the prompt, or a refusal (AnswerFailure)."""
    conversation = found.conversation
    try:
        model, budget, answer_tokens = _model_and_budgets(deps, found.answer, conversation)
    except UnknownModel as unknown:
        raise AnswerFailure("unknown_model", str(unknown)) from None
    if found.question is None:
        raise QUESTION_GONE
    history = found.history
    params = found.answer.params or {}
    system_prompt = params.get("instructions", conversation.system_prompt)
    try:
        prompt = build_prompt(
            system_prompt, history[:-1], history[-1], counter_for(model), budget, found.documents, images
        )
    except PromptTooLong as too_long:
        raise AnswerFailure("too_long", str(too_long)) from None
    owner = conversation.owner_id
    model_params = {name: params[name] for name in MODEL_PARAMS if name in params}
    if (asked := params.get("max_tokens")) is not None:
        answer_tokens = min(answer_tokens, int(asked))
    return Attempt(
        found.answer.id,
        found.attempt,
        model,
        answer_tokens,
        prompt,
        title_for,
        owner,
        model_params,
        tools=tool_loop.offered_tools(answers.picked_tools(found.answer, conversation), found.servers),
        steps=found.answer.tool_steps or [],
    )
