"""AnswerRun: one running answer's state, without any process."""

import dataclasses

import pytest

from core.catalog import ModelSpec
from core.eventlog import AttemptLog, EventLog
from core.events import EventType
from worker.prompt import Prompt
from worker.run import AnswerRun, Attempt, Fenced

ATTEMPT = Attempt(
    "m1", 2, ModelSpec(id="model"), 64, Prompt([{"role": "user", "content": "hi"}], 3, []), None
)


def new_run() -> AnswerRun:
    # The log writer is never used here: an EventLog without a Redis server behind it would do.
    return AnswerRun(ATTEMPT, AttemptLog(EventLog.__new__(EventLog), "m1", 2))


async def test_the_text_is_every_part_in_order_and_the_first_token_time_is_kept() -> None:
    run = new_run()
    assert run.said.text == ""
    assert run.first_token_at is None
    run.say(EventType.delta, {"text": "Hel"})
    first = run.first_token_at
    run.say(EventType.delta, {"text": "lo"})
    assert run.said.text == "Hello"
    assert first is not None
    assert run.first_token_at == first
    assert run.answer_id == "m1"


async def test_a_halt_keeps_its_first_reason() -> None:
    run = new_run()
    run.halt(Fenced("m1"))
    run.halt(ConnectionError("Redis is gone"))
    assert run.halted.done()
    with pytest.raises(Fenced):
        run.halted.result()


async def test_the_attempt_cannot_change_while_it_runs() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        new_run().attempt.number = 3  # type: ignore[misc]
