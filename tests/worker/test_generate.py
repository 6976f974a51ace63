"""The `generate` job, called as the worker calls it: an attempt started, the model's stream in the
log, the answer finished in the database and then in the log. A real SQLite database and Redis,
and the scripted model over HTTP; no worker process."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from core import keys
from core.eventlog import EventLog
from core.events import Event, EventType
from core.models import Message, Status
from core.stops import request_stop
from core.tasks import cancel_and_wait
from tests.support.answer_path import AnswerPath, ScriptedModel, answer_path, row, stored_question
from tests.support.processes import RedisServer
from tests.support.stack import unique
from worker.deps import WorkerDeps
from worker.generate import Ending, generate


@dataclass(frozen=True)
class Worker:
    """What a worker process holds, made as it makes it, and the path its answers take."""

    path: AnswerPath
    deps: WorkerDeps
    model: ScriptedModel

    async def ask(self, tokens: list[str], **answer: Any) -> Message:
        """A stored question whose answer the scripted model gives as `tokens`."""
        question = unique("generate")
        self.model.script(question, {"tokens": tokens, **answer.pop("script", {})})
        return await stored_question(self.path, question, **answer)

    async def log(self, answer_id: str) -> list[Event]:
        return await self.deps.log.read(answer_id, "0")

    async def first_delta(self, answer_id: str) -> None:
        """Wait until the answer's log has text."""
        for _ in range(500):
            if EventType.delta in [event.type for event in await self.log(answer_id)]:
                return
            await asyncio.sleep(0.02)
        raise AssertionError("no text reached the log in 10 s")


async def _woken(_answer_id: str) -> None:
    """Wake-ups start jobs in a worker process; here the test runs them."""


@pytest.fixture
async def worker(
    tmp_path: Path, redis_server: RedisServer, scripted_model: ScriptedModel
) -> AsyncIterator[Worker]:
    async with answer_path(tmp_path, redis_server.url, scripted_model.url) as path:
        deps = await WorkerDeps.open(path.settings, path.redis, _woken)
        signals = asyncio.create_task(deps.signals.run())
        await asyncio.wait_for(deps.signals.subscribed.wait(), 10)
        try:
            yield Worker(path, deps, scripted_model)
        finally:
            await cancel_and_wait(signals)
            await deps.close()


def text_of(events: list[Event]) -> str:
    """The answer's text as a reader of the log sees it: the deltas after the last reset."""
    text = ""
    for event in events:
        if event.type == EventType.reset:
            text = ""
        elif event.type == EventType.delta:
            text += event.json()["text"]
    return text


async def test_an_answer_streams_into_its_log_and_is_saved_before_its_end(worker: Worker) -> None:
    answer = await worker.ask(["Hello", ", ", "world"])
    assert await generate(worker.deps, answer.id) == Ending.complete
    saved = await row(worker.path, answer.id)
    assert saved is not None
    assert (saved.status, saved.content, saved.attempt, saved.finish_reason) == (
        Status.complete,
        "Hello, world",
        1,
        "stop",
    )
    assert saved.completion_tokens == 3  # the server's usage
    assert saved.included_ids == []  # no message before the question went into the prompt
    events = await worker.log(answer.id)
    assert [event.type for event in events][-2:] == [EventType.usage, EventType.done]
    assert EventType.reset not in [event.type for event in events]
    assert text_of(events) == events[-1].json()["content"] == saved.content
    question = await row(worker.path, answer.parent_id or "")
    assert question is not None
    [request] = worker.model.requests(question.content)
    assert request["messages"] == [{"role": "user", "content": question.content}]
    assert request["max_tokens"] == worker.path.settings.max_answer_tokens


async def test_a_second_attempt_resets_the_log_and_starts_again(worker: Worker) -> None:
    # A worker died with the answer streaming: the attempt it started is the first.
    answer = await worker.ask(["again"], status=Status.streaming, attempt=1, content="half an ans")
    assert await generate(worker.deps, answer.id) == Ending.complete
    events = await worker.log(answer.id)
    assert events[0].type == EventType.reset
    assert events[0].json()["attempt"] == 2
    saved = await row(worker.path, answer.id)
    assert saved is not None
    assert (saved.attempt, saved.content) == (2, "again")
    assert text_of(events) == "again"


async def test_an_answer_past_its_tries_fails_with_a_sentence(worker: Worker) -> None:
    tried = worker.path.settings.max_attempts
    answer = await worker.ask(["never"], status=Status.streaming, attempt=tried)
    assert await generate(worker.deps, answer.id) == Ending.failed
    saved = await row(worker.path, answer.id)
    assert saved is not None
    assert (saved.status, saved.error_code) == (Status.failed, "gave_up")
    assert f"failed {tried} times" in (saved.error or "")
    end = (await worker.log(answer.id))[-1]
    assert (end.type, end.json()["code"]) == (EventType.error, "gave_up")


async def test_an_answer_stopped_before_it_started_never_asks_the_model(worker: Worker) -> None:
    answer = await worker.ask(["unasked"])
    await request_stop(worker.path.redis, answer.id)
    assert await generate(worker.deps, answer.id) == Ending.stopped
    saved = await row(worker.path, answer.id)
    assert saved is not None
    assert saved.status == Status.stopped
    assert (await worker.log(answer.id))[-1].type == EventType.stopped
    assert not await worker.path.redis.exists(keys.stop(answer.id))  # the stop is spent


async def test_stop_while_streaming_closes_the_models_stream_and_keeps_the_text(worker: Worker) -> None:
    tokens = [f"w{i} " for i in range(200)]
    answer = await worker.ask(tokens, script={"delay": 0.02})
    running = asyncio.create_task(generate(worker.deps, answer.id))
    await worker.first_delta(answer.id)
    await request_stop(worker.path.redis, answer.id)
    assert await asyncio.wait_for(running, 10) == Ending.stopped
    saved = await row(worker.path, answer.id)
    assert saved is not None
    assert saved.status == Status.stopped
    assert 0 < len(saved.content) < len("".join(tokens))
    events = await worker.log(answer.id)
    assert text_of(events) == events[-1].json()["content"] == saved.content
    question = await row(worker.path, answer.parent_id or "")
    assert question is not None
    [request] = worker.model.requests(question.content)
    assert request["disconnected"]


async def test_an_answer_saved_by_a_worker_that_died_before_its_end_gets_its_end(worker: Worker) -> None:
    answer = await worker.ask(["unused"], status=Status.complete, content="saved before the crash")
    assert await generate(worker.deps, answer.id) == Ending.repaired
    end = (await worker.log(answer.id))[-1]
    assert (end.type, end.json()["content"]) == (EventType.done, "saved before the crash")


async def test_a_deleted_answer_is_left_alone(worker: Worker) -> None:
    assert await generate(worker.deps, "00000000-0000-7000-8000-000000000000") == Ending.deleted


async def test_a_model_that_refuses_fails_the_answer_with_its_reason(worker: Worker) -> None:
    answer = await worker.ask([], script={"status": 400, "message": "no such thing"})
    assert await generate(worker.deps, answer.id) == Ending.failed
    saved = await row(worker.path, answer.id)
    assert saved is not None
    assert saved.status == Status.failed
    assert saved.error
    assert saved.cost_usd == 0  # refused before answering anything: nothing to pay
    end = (await worker.log(answer.id))[-1]
    assert end.type == EventType.error
    assert end.json()["message"] == saved.error


async def test_an_answer_whose_model_is_gone_fails_saying_so(worker: Worker) -> None:
    answer = await worker.ask(["unused"], model="a-model-since-removed")
    assert await generate(worker.deps, answer.id) == Ending.failed
    saved = await row(worker.path, answer.id)
    assert saved is not None
    assert saved.error_code == "unknown_model"


async def test_a_stale_attempt_stops_writing_once_a_newer_one_owns_the_answer(worker: Worker) -> None:
    answer = await worker.ask([f"w{i} " for i in range(100)], script={"delay": 0.02})
    running = asyncio.create_task(generate(worker.deps, answer.id))
    await worker.first_delta(answer.id)
    # Another worker takes the answer over (its claim had lapsed): attempt 2 fences attempt 1 out.
    assert await EventLog(worker.path.redis, 900).for_attempt(answer.id, 2).begin()
    assert await asyncio.wait_for(running, 10) == Ending.fenced
    saved = await row(worker.path, answer.id)
    assert saved is not None
    assert saved.status == Status.streaming  # the stale attempt saved no end


async def _asked_while_locked(
    worker: Worker, answer: Message
) -> tuple[asyncio.Task[Ending], sqlite3.Connection]:
    """The answer's job running while another connection holds SQLite's write lock, as a busy
    writer would, once the job has asked the model: it cannot start the attempt until the lock is
    let go, while reads go on. The caller lets go of it (and closes it)."""
    question = await row(worker.path, answer.parent_id or "")
    assert question is not None
    file = worker.path.settings.database_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    running = asyncio.create_task(generate(worker.deps, answer.id))
    for _ in range(500):
        if worker.model.requests(question.content):
            return running, holder
        await asyncio.sleep(0.02)
    holder.close()
    raise AssertionError("the model was not asked in 10 s")


async def test_the_model_is_asked_before_the_attempt_is_started(worker: Worker) -> None:
    answer = await worker.ask(["asked ", "first"])
    running, holder = await _asked_while_locked(worker, answer)
    try:
        found = holder.execute("SELECT status, attempt FROM message WHERE id = ?", (answer.id,)).fetchone()
        assert found == ("queued", 0)  # asked while its start waits for the lock
        assert await worker.log(answer.id) == []  # and nothing written before it started
    finally:
        holder.rollback()
        holder.close()
    assert await asyncio.wait_for(running, 10) == Ending.complete
    saved = await row(worker.path, answer.id)
    assert saved is not None
    assert (saved.status, saved.attempt, saved.content) == (Status.complete, 1, "asked first")
    assert text_of(await worker.log(answer.id)) == "asked first"


async def test_an_answer_that_ended_while_its_attempt_started_is_not_written(worker: Worker) -> None:
    answer = await worker.ask(["never ", "written"], script={"ttft": 0.5})
    running, holder = await _asked_while_locked(worker, answer)
    try:
        # Stopped from the app meanwhile, as a row the worker read as queued.
        holder.execute("UPDATE message SET status = 'stopped', content = '' WHERE id = ?", (answer.id,))
        holder.commit()
    finally:
        holder.close()
    assert await asyncio.wait_for(running, 10) == Ending.repaired
    saved = await row(worker.path, answer.id)
    assert saved is not None
    assert (saved.status, saved.attempt) == (Status.stopped, 0)
    events = await worker.log(answer.id)
    assert [event.type for event in events] == [EventType.stopped]  # its end, from the row; no text
    question = await row(worker.path, answer.parent_id or "")
    assert question is not None
    [request] = worker.model.requests(question.content)
    assert request["disconnected"]  # the model's stream was closed, unread


async def test_a_stopped_answer_keeps_the_text_saved_just_before_its_attempt_started(worker: Worker) -> None:
    # A worker died with the answer streaming; a Stop waits for the next attempt.
    answer = await worker.ask(["unsaid"], status=Status.streaming, attempt=1, content="read first")
    await request_stop(worker.path.redis, answer.id)
    running, holder = await _asked_while_locked(worker, answer)
    try:
        # The dying worker's last checkpoint lands between the read and the start.
        holder.execute("UPDATE message SET content = 'saved last' WHERE id = ?", (answer.id,))
        holder.commit()
    finally:
        holder.close()
    assert await asyncio.wait_for(running, 10) == Ending.stopped
    saved = await row(worker.path, answer.id)
    assert saved is not None
    assert (saved.status, saved.content) == (Status.stopped, "saved last")
    assert text_of(await worker.log(answer.id)) == "saved last"


async def test_text_sent_before_a_cut_is_kept_when_it_came_before_the_attempt_started(
    worker: Worker,
) -> None:
    # The model answers at once and the connection breaks, all while the start waits for the lock.
    answer = await worker.ask(["kept ", "as ", "sent ", "never"], script={"cut_after": 3, "delay": 0.05})
    question = await row(worker.path, answer.parent_id or "")  # before the start holds the connection
    assert question is not None
    running, holder = await _asked_while_locked(worker, answer)
    for _ in range(100):  # until the model has sent its three tokens and cut the connection
        if worker.model.requests(question.content)[0]["tokens_sent"] == 3:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)
    holder.rollback()
    holder.close()
    assert await asyncio.wait_for(running, 10) == Ending.failed
    saved = await row(worker.path, answer.id)
    assert saved is not None
    assert (saved.error_code, saved.content) == ("connection_lost", "kept as sent ")
    assert text_of(await worker.log(answer.id)) == "kept as sent "
