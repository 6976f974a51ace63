"""The `generate` job: one attempt at streaming one answer from the model into its event log."""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from arq import Retry
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from core import keys
from core.catalog import UnknownModel, budgets
from core.events import EventType
from core.failures import AnswerFailure
from core.jobs import enqueue_title
from core.models import Role, Status, TitleSource, utcnow
from core.endings import end_attempt, end_from_row
from core.tasks import cancel_and_wait
from core.tokens import counter_for
from worker import answers
from worker.checkpoints import LiveAnswer
from worker.claim import hold_claim
from worker.deps import WorkerDeps
from worker.prompt import Prompt, PromptTooLong, build_prompt
from worker.upstream import classify, stream_chat
from worker.writer import DeltaWriter, Fenced

logger = logging.getLogger(__name__)

# Redis or the database failing: nothing is wrong with the answer, so the job is tried again.
INFRASTRUCTURE = (RedisError, OSError, DBAPIError, PoolTimeout)
INFRASTRUCTURE_RETRY_SECONDS = 1


@dataclass
class Outcome:
    status: Status
    finish_reason: str | None = None
    error: AnswerFailure | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


async def generate(ctx: dict[str, Any], message_id: str) -> str:
    deps: WorkerDeps = ctx["deps"]
    pickup_ms = (datetime.now(UTC) - ctx["enqueue_time"]).total_seconds() * 1000
    logger.info("answer %s: try %d picked up %.1f ms after enqueue", message_id, ctx["job_try"], pickup_ms)
    generation = Generation(deps, message_id)
    try:
        async with hold_claim(deps.redis, ctx["job_id"], deps.settings.claim_ttl_seconds):
            try:
                return await generation.run()
            except (Fenced, *INFRASTRUCTURE):
                raise
            except Exception:
                # A bug must not leave the user watching a spinner until the sweep gives up.
                logger.exception("answer %s failed", message_id)
                failure = AnswerFailure("internal_error", "relaychat failed while generating this answer.")
                return await generation.finish(Outcome(Status.failed, error=failure))
    except Fenced:
        logger.warning("answer %s: deleted, or owned by a newer attempt; this one stops writing", message_id)
        deps.fenced_jobs.add(ctx["job_id"])
        return "fenced"
    except INFRASTRUCTURE as error:
        # ARQ would count a raised error as the job's end; Retry keeps it queued, and the next run
        # finds the answer as this one left it (and repairs a final row whose event is missing).
        logger.warning("answer %s: %s; the job runs again", message_id, error)
        raise Retry(defer=INFRASTRUCTURE_RETRY_SECONDS) from error


class Generation:
    def __init__(self, deps: WorkerDeps, message_id: str) -> None:
        self.deps = deps
        self.settings = deps.settings
        self.message_id = message_id
        self.out = deps.log.writer(message_id, 0)
        self.spec = deps.catalog.get(None)
        self.answer_tokens = deps.settings.max_answer_tokens
        self.prompt_tokens = 0
        # The messages the prompt was built from: saved with the first checkpoint and the final row.
        self.included_ids: list[str] | None = None
        self.parts: list[str] = []
        # The answer's speed is its completion tokens over the time from the first token to the end.
        self.first_token_at: datetime | None = None
        # The first answer of a conversation still unnamed asks for a title once it has ended.
        self.title_for: str | None = None

    @property
    def attempt(self) -> int:
        return self.out.attempt

    async def run(self) -> str:
        claim = await answers.claim_attempt(self.deps.sessionmaker, self.message_id)
        if claim is None:
            return "deleted"
        if claim.attempt is None:
            # Final already, perhaps written by a worker that died before appending its terminal event.
            message = claim.message
            await end_from_row(self.deps.log, claim.message)
            return "already finished"
        self.out = self.deps.log.writer(self.message_id, claim.attempt)
        if not await self.deps.log.begin(self.message_id, self.attempt):
            raise Fenced(self.message_id)
        if self.attempt > self.settings.max_attempts:
            failure = AnswerFailure("gave_up", f"The answer failed {self.attempt - 1} times; giving up.")
            return await self.finish(Outcome(Status.failed, error=failure))
        if await self.deps.redis.exists(keys.cancel(self.message_id)):
            return await self.finish_stopped_before_start(claim.message.content)

        history, question = claim.history[:-1], claim.history[-1]
        unnamed = claim.conversation.title_source in (TitleSource.default, TitleSource.fallback)
        if unnamed and not any(message.role == Role.assistant for message in history):
            self.title_for = claim.conversation.id
        try:
            self.spec = self.deps.catalog.get(claim.message.model or claim.conversation.model)
            budget, self.answer_tokens = budgets(
                self.spec, self.settings.max_answer_tokens, claim.conversation.max_tokens
            )
            counter = counter_for(self.spec)
            prompt = build_prompt(claim.conversation.system_prompt, history, question, counter, budget)
        except (UnknownModel, PromptTooLong) as refusal:
            code = "unknown_model" if isinstance(refusal, UnknownModel) else "too_long"
            return await self.finish(Outcome(Status.failed, error=AnswerFailure(code, str(refusal))))
        self.prompt_tokens = prompt.tokens
        self.included_ids = prompt.included_ids

        with self.deps.signals.watch_stop(self.message_id) as stop:
            outcome = await self._stream(prompt, stop)
        return await self.finish(outcome)

    async def finish_stopped_before_start(self, checkpointed: str) -> str:
        """A Stop that came while no worker ran the answer: keep what the last attempt had saved."""
        if checkpointed:
            if await self.out.append((EventType.delta, {"text": checkpointed})) is None:
                raise Fenced(self.message_id)
            self.parts = [checkpointed]
        return await self.finish(Outcome(Status.stopped))

    async def _stream(self, prompt: Prompt, stop: asyncio.Event) -> Outcome:
        writer = self.deps.deltas.writer(self.out)
        live = LiveAnswer(self.message_id, self.attempt, self.parts, self.included_ids, stop, writer.failed)
        self.deps.checkpoints.track(live)
        try:
            outcome = await self._stream_with_retries(prompt, stop, writer)
        except asyncio.CancelledError:
            writer.abandon()  # the worker is stopping: the next attempt starts over with `reset`
            raise
        except BaseException:
            # Whatever failed, what was streamed must still add up to what gets saved.
            with contextlib.suppress(Exception):
                await writer.close()
            raise
        finally:
            self.deps.checkpoints.untrack(live)
        await writer.close()
        return outcome

    async def _stream_with_retries(self, prompt: Prompt, stop: asyncio.Event, writer: DeltaWriter) -> Outcome:
        # `writer.failed` only completes by failing (fenced out by a write or a checkpoint, or
        # Redis lost): that ends the stream too.
        retries = self.settings.upstream_retries
        for retry in range(retries + 1):
            pump = asyncio.create_task(self._pump(prompt, writer))
            stopped = asyncio.create_task(stop.wait())
            waited: set[asyncio.Future[Any]] = {pump, stopped, writer.failed}
            try:
                done, _ = await asyncio.wait(waited, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stopped.cancel()
                if not pump.done():
                    # Cancelling the pump closes the HTTP stream, which is what makes the model stop.
                    await cancel_and_wait(pump)
            if pump in done:
                try:
                    return pump.result()
                except AnswerFailure as failure:
                    error = failure
            elif stopped in done:
                return Outcome(Status.stopped)
            else:
                writer.failed.result()
            if self.parts or not error.retryable or retry == retries:
                return Outcome(Status.failed, error=error)
            delay = min(error.retry_after or self.settings.upstream_retry_base_seconds * 2**retry, 20.0)
            logger.info("answer %s: %s; retrying in %.1fs", self.message_id, error, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
                return Outcome(Status.stopped)
        raise AssertionError("unreachable")

    async def _pump(self, prompt: Prompt, writer: DeltaWriter) -> Outcome:
        outcome = Outcome(Status.complete)
        client = self.deps.upstreams.client(self.spec)
        chunks = stream_chat(client, self.spec.id, prompt.messages, self.answer_tokens)
        try:
            async with contextlib.aclosing(chunks):
                async for chunk in chunks:
                    if chunk.text:
                        self.first_token_at = self.first_token_at or utcnow()
                        self.parts.append(chunk.text)
                        writer.add(chunk.text)
                    outcome.finish_reason = chunk.finish_reason or outcome.finish_reason
                    if chunk.prompt_tokens is not None:
                        outcome.prompt_tokens = chunk.prompt_tokens
                        outcome.completion_tokens = chunk.completion_tokens
        except Exception as error:
            raise classify(error, str(client.base_url)) from error
        if outcome.finish_reason is None:
            raise AnswerFailure("incomplete", "The model server ended the answer before finishing it.", True)
        return outcome

    async def finish(self, outcome: Outcome) -> str:
        """Write the final message to the database, then its usage and terminal event to the log."""
        content = "".join(self.parts)
        completion_tokens = outcome.completion_tokens
        if completion_tokens is None:
            completion_tokens = counter_for(self.spec).count(content) if content else 0
        prompt_tokens = outcome.prompt_tokens if outcome.prompt_tokens is not None else self.prompt_tokens
        # A request the model refused before answering anything (and reported no usage for) costs nothing.
        billed = content or outcome.prompt_tokens is not None
        error = outcome.error
        message = await answers.save(
            self.deps.sessionmaker,
            self.message_id,
            self.attempt,
            content=content,
            status=outcome.status,
            finish_reason=outcome.finish_reason,
            error=error.message if error else None,
            error_code=error.code if error else None,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost_usd=self.spec.cost(prompt_tokens, completion_tokens) if billed else 0.0,
            first_token_at=self.first_token_at,
            finished_at=utcnow(),
            **({"included_ids": self.included_ids} if self.included_ids is not None else {}),
        )
        if message is None:
            raise Fenced(self.message_id)
        if not await end_attempt(self.out, message):
            raise Fenced(self.message_id)
        await self.deps.redis.delete(keys.cancel(self.message_id))
        if self.title_for:
            await self._ask_for_title(self.title_for)
        return outcome.status.value

    async def _ask_for_title(self, conversation_id: str) -> None:
        # After the answer's end, so a one-request-at-a-time model never makes the answer wait.
        try:
            await enqueue_title(self.deps.redis, conversation_id)
        except RedisError as error:
            # The answer is final already; the conversation keeps its fallback title.
            logger.warning("could not ask for a title of %s: %r", conversation_id, error)
