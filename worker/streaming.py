"""Streaming one attempt from the model into its log: retries before anything is said, Stop, fences."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from openai import AsyncOpenAI

from core import logs, metrics, tracing
from core.events import EventType
from core.failures import AnswerFailure
from core.models import Status
from core.tasks import cancel_and_wait
from worker.deltas import DeltaWriter
from worker.deps import WorkerDeps
from worker.run import AnswerRun, Outcome
from worker.upstream import Chunk, classify, stream_chat

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY_SECONDS = 20.0


async def stream(deps: WorkerDeps, run: AnswerRun, start: Callable[[], Awaitable[None]]) -> Outcome:
    """Ask the model at once; meanwhile `start` makes the attempt the answer's (its row, its log).
    The answer's text is read as it comes but written only once the attempt has started: until
    then the model is usually still on its way to its first token. Then stream into `run` and
    its log until the model ends, a Stop, or a halt.

    Raises what `start` raised (Raced, Fenced, StopBeforeStart), or Fenced (or the Redis error)
    when the run halted: nothing more may be written.
    """
    logs.ATTEMPT.set(run.attempt.number)  # before the request's task starts: its log lines carry it
    writer = deps.deltas.writer(run)
    # The model's stream is read from the start, so that nothing it sent is lost to a connection
    # cut while the attempt starts (aiohttp drops what it buffered when the connection breaks).
    writer.hold()
    with deps.signals.watch_stop(run):
        asking = asyncio.create_task(_with_retries(deps, run, writer))
        try:
            await start()
        except BaseException:
            await cancel_and_wait(asking)  # nothing was written: the request is simply dropped
            writer.abandon()
            raise
        run.started = True
        writer.release()
        deps.checkpoints.track(run)
        try:
            outcome = await asking
        except asyncio.CancelledError:
            writer.abandon()  # the worker is stopping: the next attempt starts over with `reset`
            raise
        except BaseException:
            # Whatever failed, what was streamed must still add up to what gets saved.
            with contextlib.suppress(Exception):
                await writer.close()
            raise
        finally:
            deps.checkpoints.untrack(run)
    await writer.close()
    return outcome


async def _with_retries(deps: WorkerDeps, run: AnswerRun, writer: DeltaWriter) -> Outcome:
    """Ask the model, again after a retryable failure before the first token, while no Stop comes."""
    settings = deps.settings
    client = deps.upstreams.client(run.attempt.model)
    for retry in range(settings.upstream_retries + 1):
        pump = asyncio.create_task(_pump(client, run, writer))
        stopped = asyncio.create_task(run.stop.wait())
        waited: set[asyncio.Future[Any]] = {pump, stopped, run.halted}
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
                metrics.MODEL_ERRORS.labels(error.code).inc()
        elif stopped in done:
            return Outcome(Status.stopped)
        else:
            run.halted.result()  # raises why it halted
        if run.said.size > run.round_began or not error.retryable or retry == settings.upstream_retries:
            return Outcome(Status.failed, error=error)
        delay = error.retry_after or settings.upstream_retry_base_seconds * 2**retry
        delay = min(delay, MAX_RETRY_DELAY_SECONDS)
        # Its code alone: a server's error may quote what it was sent (the answer's row keeps it).
        logger.info("answer %s: %s; retrying in %.1fs", run.answer_id, error.code, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(run.stop.wait(), delay)
            return Outcome(Status.stopped)
    raise AssertionError("unreachable")


async def _pump(client: AsyncOpenAI, run: AnswerRun, writer: DeltaWriter) -> Outcome:
    """Read the model's stream into the run and the log; an AnswerFailure says why it broke off."""
    attempt = run.attempt
    finish_reason: str | None = None
    usage: Chunk | None = None
    chunks = stream_chat(client, attempt.model.id, run.messages, attempt.answer_tokens, run.model_params)
    # What the job does before this is the queue's cost to the first token (bench/burst.py reads it).
    asked = time.monotonic()
    waited = (asked - run.job_started) * 1000
    logger.info("answer %s: asking the model %.1f ms after the job started", run.answer_id, waited)
    if run.asked_at is None:
        run.asked_at = asked
        if run.picked_up is not None and run.attempt.number == 1:
            run.queue_seconds = run.picked_up + asked - run.job_started
            metrics.ANSWER_QUEUE_SECONDS.observe(run.queue_seconds)
    try:
        async with contextlib.aclosing(chunks):
            async for chunk in chunks:
                first = run.first_token_at is None
                for kind, data in _said(run, chunk):
                    run.say(kind, data)
                    writer.add(kind, data)
                if first and run.first_token_at is not None:
                    run.model_seconds = time.monotonic() - run.asked_at
                    metrics.ANSWER_MODEL_SECONDS.observe(run.model_seconds)
                    tracing.event("first_token", first_token_seconds=time.monotonic() - run.asked_at)
                finish_reason = chunk.finish_reason or finish_reason
                if chunk.prompt_tokens is not None:
                    usage = chunk
    except Exception as error:
        raise classify(error, str(client.base_url)) from error
    if finish_reason is None:
        raise AnswerFailure("incomplete", "The model server ended the answer before finishing it.", True)
    if usage is None:
        return Outcome(Status.complete, finish_reason)
    return Outcome(
        Status.complete,
        finish_reason,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        reasoning_tokens=usage.reasoning_tokens,
    )


def _said(run: AnswerRun, chunk: Chunk) -> list[tuple[EventType, dict[str, Any]]]:
    """A chunk as the events of what the answer says: its reasoning, its text, its tool calls'
    pieces, each as the log holds it: a call's id and name once, on its first piece (a server
    that repeats them on every piece has them dropped; one that sends no id gets one made up,
    unique in the answer as OpenAI's are)."""
    said: list[tuple[EventType, dict[str, Any]]] = []
    if chunk.reasoning:
        said.append((EventType.reasoning, {"text": chunk.reasoning}))
    if chunk.text:
        said.append((EventType.delta, {"text": chunk.text}))
    begun = set(run.said.calls)
    for piece in chunk.tool_calls:
        # An app tool loop's rounds number their calls on from the last round's.
        index = run.call_offset + piece.index
        if index in begun:
            if piece.arguments:
                said.append((EventType.tool_call, {"index": index, "arguments": piece.arguments}))
            continue
        begun.add(index)
        call_id = piece.id or f"call_{run.answer_id}_{index}"
        # An app tool as the conversation picked it (`<server>.<tool>`), not as the model calls it.
        offered = run.attempt.tools.get(piece.name or "")
        name = offered.qualified if offered else piece.name or ""
        first = {"index": index, "id": call_id, "name": name, "arguments": piece.arguments}
        said.append((EventType.tool_call, first))
    return said
