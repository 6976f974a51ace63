"""The `generate` job: one attempt at streaming one answer from the model into its event log."""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select, update

from core import keys
from core.catalog import UnknownModel, budgets
from core.events import EventType
from core.models import ACTIVE_STATUSES, Conversation, Message, Role, Status, utcnow
from core.schemas import terminal_event
from core.tokens import counter_for
from worker.claim import hold_claim
from worker.deps import WorkerDeps
from worker.prompt import Prompt, PromptTooLong, build_prompt
from worker.upstream import UpstreamError, classify, stream_chat
from worker.writer import DeltaWriter, Fenced

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    status: Status
    finish_reason: str | None = None
    error: UpstreamError | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


async def generate(ctx: dict[str, Any], message_id: str) -> str:
    deps: WorkerDeps = ctx["deps"]
    pickup_ms = (datetime.now(UTC) - ctx["enqueue_time"]).total_seconds() * 1000
    logger.info("answer %s: try %d picked up %.1f ms after enqueue", message_id, ctx["job_try"], pickup_ms)
    async with hold_claim(deps.redis, ctx["job_id"], deps.settings.claim_ttl_seconds):
        generation = Generation(deps, message_id)
        try:
            return await generation.run()
        except Fenced:
            logger.warning(
                "answer %s: deleted, or owned by a newer attempt; this one stops writing", message_id
            )
            deps.fenced_jobs.add(ctx["job_id"])
            return "fenced"
        except (RedisError, OperationalError):
            raise  # infrastructure hiccup: the job is retried, or recovered by the sweep
        except Exception:
            # A bug must not leave the user watching a spinner until the sweep gives up.
            logger.exception("answer %s failed", message_id)
            error = UpstreamError("internal_error", "relaychat failed while generating this answer.")
            return await generation.finish(Outcome(Status.failed, error=error), prompt_tokens=0)


class Generation:
    def __init__(self, deps: WorkerDeps, message_id: str) -> None:
        self.deps = deps
        self.settings = deps.settings
        self.message_id = message_id
        self.attempt = 0
        self.spec = deps.catalog.get(None)
        self.answer_tokens = deps.settings.max_answer_tokens
        self.parts: list[str] = []

    async def run(self) -> str:
        started = await self._start()
        if started is None:
            return "already finished"
        message, conversation, history = started
        if not await self.deps.log.begin(self.message_id, self.attempt):
            raise Fenced(self.message_id)
        if self.attempt > self.settings.max_attempts:
            error = UpstreamError("gave_up", f"The answer failed {self.attempt - 1} times; giving up.")
            return await self.finish(Outcome(Status.failed, error=error), prompt_tokens=0)
        if await self.deps.redis.exists(keys.cancel(self.message_id)):
            return await self.finish(Outcome(Status.stopped), prompt_tokens=0)

        try:
            self.spec = self.deps.catalog.get(message.model or conversation.model)
        except UnknownModel as unknown:
            return await self.finish(
                Outcome(Status.failed, error=UpstreamError("unknown_model", str(unknown))), 0
            )
        budget, self.answer_tokens = budgets(self.spec, self.settings.max_answer_tokens)
        try:
            prompt = build_prompt(
                conversation.system_prompt, history[:-1], history[-1], counter_for(self.spec.id), budget
            )
        except PromptTooLong as too_long:
            return await self.finish(
                Outcome(Status.failed, error=UpstreamError("too_long", str(too_long))), 0
            )

        with self.deps.signals.watch_stop(self.message_id) as stop:
            outcome = await self._stream(prompt, stop)
        return await self.finish(outcome, prompt.tokens)

    async def _start(self) -> tuple[Message, Conversation, list[Message]] | None:
        """Claim the next attempt in the database; None when the answer is already final."""
        async with self.deps.sessionmaker() as session:
            claimed = await session.exec(
                update(Message)
                .where(col(Message.id) == self.message_id, col(Message.role) == Role.assistant)
                .where(col(Message.status).in_(ACTIVE_STATUSES))
                .values(status=Status.streaming, attempt=col(Message.attempt) + 1, updated_at=utcnow())
                .returning(col(Message.attempt))
            )
            attempt = claimed.scalar_one_or_none()
            await session.commit()
            message = await session.get(Message, self.message_id)
            if message is None:
                return None
            if attempt is None:
                # Finished already, perhaps by a worker that died before appending the terminal event.
                await self.deps.log.append(
                    self.message_id, message.attempt, terminal_event(message), final=True
                )
                return None
            self.attempt = attempt
            conversation = await session.get(Conversation, message.conversation_id)
            assert conversation is not None  # the foreign key cascades deletes
            history = await session.exec(
                select(Message)
                .where(Message.conversation_id == message.conversation_id, col(Message.id) < message.id)
                .order_by(col(Message.id))
            )
            return message, conversation, list(history)

    async def _stream(self, prompt: Prompt, stop: asyncio.Event) -> Outcome:
        writer = DeltaWriter(
            self.deps.log, self.message_id, self.attempt, self.settings.flush_interval_seconds
        )
        checkpoints = asyncio.create_task(self._checkpoints(stop))
        try:
            outcome = await self._stream_with_retries(prompt, stop, writer, checkpoints)
        except BaseException:
            writer.abandon()
            raise
        finally:
            checkpoints.cancel()
        await writer.close()
        return outcome

    async def _stream_with_retries(
        self,
        prompt: Prompt,
        stop: asyncio.Event,
        writer: DeltaWriter,
        checkpoints: asyncio.Task[None],
    ) -> Outcome:
        # The writer and the checkpoints only finish early by failing (fenced out): that ends the stream too.
        watchdogs = {writer.task, checkpoints}
        retries = self.settings.upstream_retries
        for retry in range(retries + 1):
            pump = asyncio.create_task(self._pump(prompt, writer))
            stopped = asyncio.create_task(stop.wait())
            try:
                done, _ = await asyncio.wait({pump, stopped, *watchdogs}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stopped.cancel()
                if not pump.done():
                    # Cancelling the pump closes the HTTP stream, which is what makes the model stop.
                    pump.cancel()
                    with contextlib.suppress(asyncio.CancelledError, UpstreamError):
                        await pump
            if pump in done:
                try:
                    return pump.result()
                except UpstreamError as failure:
                    error = failure
            elif stopped in done:
                return Outcome(Status.stopped)
            else:
                for task in done & watchdogs:
                    task.result()
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
                        self.parts.append(chunk.text)
                        writer.add(chunk.text)
                    outcome.finish_reason = chunk.finish_reason or outcome.finish_reason
                    if chunk.prompt_tokens is not None:
                        outcome.prompt_tokens = chunk.prompt_tokens
                        outcome.completion_tokens = chunk.completion_tokens
        except Exception as error:
            raise classify(error, str(client.base_url)) from error
        if outcome.finish_reason is None:
            raise UpstreamError("incomplete", "The model server ended the answer before finishing it.", True)
        return outcome

    async def _checkpoints(self, stop: asyncio.Event) -> None:
        """Save the partial text now and then, and notice a Stop whose publish this worker missed."""
        saved = ""
        while True:
            await asyncio.sleep(self.settings.checkpoint_interval_seconds)
            if await self.deps.redis.exists(keys.cancel(self.message_id)):
                stop.set()
            text = "".join(self.parts)
            if text != saved and not await self._save(content=text):
                raise Fenced(self.message_id)
            saved = text

    async def _save(self, **values: Any) -> bool:
        """Update this attempt's row; False when a newer attempt owns the message (fenced out)."""
        async with self.deps.sessionmaker() as session:
            result = await session.exec(
                update(Message)
                .where(col(Message.id) == self.message_id, col(Message.attempt) == self.attempt)
                .where(col(Message.status) == Status.streaming)
                .values(**values, updated_at=utcnow())
            )
            await session.commit()
            return bool(result.rowcount)

    async def finish(self, outcome: Outcome, prompt_tokens: int) -> str:
        """Write the final message to the database, then its usage and terminal event to the log."""
        content = "".join(self.parts)
        completion_tokens = outcome.completion_tokens
        if completion_tokens is None:
            completion_tokens = counter_for(self.spec.id).count(content) if content else 0
        error = outcome.error
        saved = await self._save(
            content=content,
            status=outcome.status,
            finish_reason=outcome.finish_reason,
            error=error.message if error else None,
            error_code=error.code if error else None,
            prompt_tokens=outcome.prompt_tokens if outcome.prompt_tokens is not None else prompt_tokens,
            completion_tokens=completion_tokens,
        )
        if not saved:
            raise Fenced(self.message_id)
        async with self.deps.sessionmaker() as session:
            message = await session.get(Message, self.message_id)
        assert message is not None
        usage = {"prompt_tokens": message.prompt_tokens, "completion_tokens": message.completion_tokens}
        await self.deps.log.append(
            self.message_id, self.attempt, (EventType.usage, usage), terminal_event(message), final=True
        )
        await self.deps.redis.delete(keys.cancel(self.message_id))
        return outcome.status.value
