"""One running answer: the attempt the worker claimed, and how far it has got."""

import asyncio
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.answer_parts import AnswerParts
from core.catalog import ModelSpec
from core.eventlog import AttemptLog
from core.events import EventType
from core.failures import AnswerFailure
from core.models import Status, utcnow
from worker.prompt import Prompt

if TYPE_CHECKING:
    from worker.tool_loop import OfferedTool


PICKED_UP: ContextVar[float | None] = ContextVar("picked_up", default=None)
"""How long the running job waited in the queue before a worker started it (seconds), set by the
job (worker/arq_worker.py): with the time to ask the model, the first token's queue part."""


class Fenced(Exception):
    """A newer attempt owns this answer, or it was deleted: the stale run must stop writing."""


class StopBeforeStart(Exception):
    """A Stop was waiting when the attempt started: the answer keeps what its last attempt saved."""

    def __init__(self, answer_id: str, checkpointed: str) -> None:
        super().__init__(answer_id)
        self.checkpointed = checkpointed


@dataclass(frozen=True)
class Attempt:
    """What one attempt at an answer is, fixed when the worker claims it."""

    answer_id: str
    number: int
    model: ModelSpec
    answer_tokens: int  # the answer's budget, sent to the model as max_tokens
    prompt: Prompt
    title_for: str | None  # the conversation to name once this, its first answer, has ended
    owner: str | None = None  # whose usage the answer counts in
    model_params: dict[str, Any] = field(default_factory=dict)  # a /v1 request's, passed on as asked
    # The app tools the conversation picked, by the name the model calls them (worker/tool_loop.py).
    tools: dict[str, "OfferedTool"] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)  # saved by an attempt before this one


@dataclass(frozen=True)
class Outcome:
    """How the model's stream ended for this attempt."""

    status: Status
    finish_reason: str | None = None
    error: AnswerFailure | None = None
    prompt_tokens: int | None = None  # the server's usage, when it reported any
    completion_tokens: int | None = None
    reasoning_tokens: int | None = None


class AnswerRun:
    """An attempt while it streams: what it said so far, its Stop, and whether it may still write.

    The delta writer and the checkpointer report to it: `halt` ends the run when a write of it
    was fenced out or failed, since what was streamed would no longer add up to what is saved.
    """

    def __init__(self, attempt: Attempt, attempt_log: AttemptLog, job_started: float | None = None) -> None:
        self.attempt = attempt
        self.attempt_log = attempt_log
        # When the job started (time.monotonic()): how long it took to ask the model is logged.
        self.job_started = time.monotonic() if job_started is None else job_started
        self.picked_up = PICKED_UP.get()
        self.asked_at: float | None = None  # when the model was first asked (time.monotonic())
        # The first token's time (s), split (the Status page's, core/status.py): enqueue to the model
        # asked (a first attempt's only), and asked to the first token.
        self.queue_seconds: float | None = None
        self.model_seconds: float | None = None
        self.said = AnswerParts()
        # The round of an app tool loop: what the model is sent in it, and where its calls begin.
        self.messages: list[dict[str, Any]] = attempt.prompt.messages
        self.model_params: dict[str, Any] = dict(attempt.model_params)
        self.round = 0
        self.round_began = 0  # events said before this round: its retries begin from there
        self.call_offset = 0  # the round's first call's index among the answer's calls
        self.steps: list[dict[str, Any]] = [dict(step) for step in attempt.steps]
        self.first_token_at: datetime | None = None
        self.stop = asyncio.Event()
        # Whether the attempt is the answer's yet (its row and its log): before, its text is held.
        self.started = False
        self.halted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # A run that ended anyway (its last write was the one refused) never awaits it: retrieved
        # here, so asyncio does not report the Fenced as never retrieved.
        self.halted.add_done_callback(lambda halted: halted.cancelled() or halted.exception())

    @property
    def answer_id(self) -> str:
        return self.attempt.answer_id

    def say(self, kind: EventType, data: dict[str, Any]) -> None:
        """The model said this (text, reasoning or a piece of a tool call)."""
        self.first_token_at = self.first_token_at or utcnow()
        self.said.add(kind, data)

    def halt(self, error: BaseException) -> None:
        """A write of this answer was refused (`Fenced`) or failed (a Redis error): the run ends."""
        if not self.halted.done():
            self.halted.set_exception(error)
