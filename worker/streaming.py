"""Streaming one attempt from the model into its log: retries before the first token, Stop, fences."""

import asyncio
import contextlib
import logging
from typing import Any

from openai import AsyncOpenAI

from core.failures import AnswerFailure
from core.models import Status
from core.tasks import cancel_and_wait
from worker.deltas import DeltaWriter
from worker.deps import WorkerDeps
from worker.run import AnswerRun, Outcome
from worker.upstream import classify, stream_chat

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY_SECONDS = 20.0


async def stream(deps: WorkerDeps, run: AnswerRun) -> Outcome:
    """Stream the answer into `run` and its log until the model ends, a Stop, or a halt.

    Raises Fenced (or the Redis error) when the run halted: nothing more may be written.
    """
    writer = deps.deltas.writer(run)
    deps.checkpoints.track(run)
    try:
        with deps.signals.watch_stop(run):
            outcome = await _with_retries(deps, run, writer)
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
        elif stopped in done:
            return Outcome(Status.stopped)
        else:
            run.halted.result()  # raises why it halted
        if run.parts or not error.retryable or retry == settings.upstream_retries:
            return Outcome(Status.failed, error=error)
        delay = error.retry_after or settings.upstream_retry_base_seconds * 2**retry
        delay = min(delay, MAX_RETRY_DELAY_SECONDS)
        logger.info("answer %s: %s; retrying in %.1fs", run.answer_id, error, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(run.stop.wait(), delay)
            return Outcome(Status.stopped)
    raise AssertionError("unreachable")


async def _pump(client: AsyncOpenAI, run: AnswerRun, writer: DeltaWriter) -> Outcome:
    """Read the model's stream into the run and the log; an AnswerFailure says why it broke off."""
    attempt = run.attempt
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    chunks = stream_chat(
        client, attempt.model.id, attempt.prompt.messages, attempt.answer_tokens, attempt.sampling
    )
    try:
        async with contextlib.aclosing(chunks):
            async for chunk in chunks:
                if chunk.text:
                    run.add(chunk.text)
                    writer.add(chunk.text)
                finish_reason = chunk.finish_reason or finish_reason
                if chunk.prompt_tokens is not None:
                    prompt_tokens, completion_tokens = chunk.prompt_tokens, chunk.completion_tokens
    except Exception as error:
        raise classify(error, str(client.base_url)) from error
    if finish_reason is None:
        raise AnswerFailure("incomplete", "The model server ended the answer before finishing it.", True)
    return Outcome(Status.complete, finish_reason, None, prompt_tokens, completion_tokens)
