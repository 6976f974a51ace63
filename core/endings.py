"""How an answer ends in its log: the one place a terminal event is made and appended.

Every writer of a terminal event goes through here: the worker finishing an attempt, the worker
or the API repairing a final row whose log lacks its end, the API stopping an answer no worker
has started, and the API ending the answers of a deleted conversation. So an answer's end is
counted here too (`relaychat_answers_ended_total`), once: when its terminal event was appended,
which the log's script allows once per answer.
"""

import logging
from typing import Any

from pydantic import BaseModel
from redis.exceptions import RedisError

from core import metrics, status
from core.answer_parts import AnswerParts, Said, step_call, step_result
from core.eventlog import ANY_ATTEMPT, AttemptLog, EventLog
from core.events import EventType
from core.models import Message, Status
from core.schemas import MessageRead

DELETED_CODE = "deleted"
DELETED_SENTENCE = "This conversation was deleted."
OUTCOMES = {Status.complete: "completed", Status.stopped: "stopped"}

logger = logging.getLogger(__name__)


def terminal_event(message: Message | MessageRead) -> tuple[EventType, dict[str, Any]]:
    """The terminal event a final message stands for; every one carries the message object."""
    payload = MessageRead.model_validate(message).model_dump(mode="json")
    if message.status == Status.complete:
        return EventType.done, payload
    if message.status == Status.stopped:
        return EventType.stopped, payload
    return EventType.error, {
        "code": message.error_code or "failed",
        "message": message.error or "The answer failed.",
        "message_obj": payload,
    }


async def end_attempt(attempt_log: AttemptLog, message: Message) -> bool:
    """The attempt that saved `message` appends its usage and its end; False when fenced out."""
    usage = {"prompt_tokens": message.prompt_tokens, "completion_tokens": message.completion_tokens}
    if await attempt_log.append((EventType.usage, usage), terminal_event(message), final=True) is None:
        return False
    _count(message)
    return True


def _count(message: Message | MessageRead) -> None:
    """An answer ended (its terminal event appended): its outcome, and a completed one's speed."""
    outcome = OUTCOMES.get(message.status, "failed")
    code = (message.error_code or "failed") if outcome == "failed" else ""
    metrics.ANSWERS_ENDED.labels(outcome, code).inc()
    tokens, started, ended = message.completion_tokens, message.first_token_at, message.finished_at
    if message.status == Status.complete and tokens and started and ended and ended > started:
        metrics.ANSWER_TOKENS_PER_SECOND.observe(tokens / (ended - started).total_seconds())


def said_by(message: Message | MessageRead) -> list[Said]:
    """What a saved answer says, as one event of each kind (`AnswerParts.whole`): its reasoning,
    its text, and its tool calls (an app answer's steps with their results)."""
    parts = AnswerParts()
    if message.reasoning:
        parts.add(EventType.reasoning, {"text": message.reasoning})
    if message.content:
        parts.add(EventType.delta, {"text": message.content})
    steps = [_plain(step) for step in message.tool_steps or ()]
    for index, step in enumerate(steps):
        parts.add(EventType.tool_call, step_call(index, step))
        if "output" in step or "error" in step:
            parts.add(EventType.tool_result, step_result(index, step))
    calls = [] if steps else [_plain(call) for call in message.tool_calls or ()]
    for index, call in enumerate(calls):
        function = call["function"]
        parts.add(
            EventType.tool_call,
            {"index": index, "id": call["id"], "name": function["name"], "arguments": function["arguments"]},
        )
    return parts.whole()


def _plain(value: dict[str, Any] | BaseModel) -> dict[str, Any]:
    """A stored call or step as the row holds it (a dict), whether read from the row or the API."""
    return value if isinstance(value, dict) else value.model_dump(exclude_none=True)


async def end_from_row(log: EventLog, message: Message) -> None:
    """Append the end of an answer that is final in the database but not in its log.

    A worker that died between its final save and its terminal event, or a Stop before any
    worker started the answer. Appended as the attempt that wrote the row, so a newer attempt's
    log is never ended by it, and a log that has its end already is left as it is.

    The log may lack more than its end: a Redis failover loses the newest entries of the answers
    that ended just before it. So the end comes after a repair (a `reset` marked so, then all the
    row says): a reader takes from it only what it lacks (core/answer_text.py), whatever the log
    kept.
    """
    said = said_by(message)
    repair: list[tuple[EventType, Any]] = (
        [(EventType.reset, {"attempt": message.attempt, "repair": True}), *said] if said else []
    )
    ended = await log.append(message.id, message.attempt, *repair, terminal_event(message), final=True)
    if ended is not None:
        _count(message)
        await _record(log, message)


async def end_deleted(log: EventLog, message: Message) -> None:
    """End a running answer whose conversation was deleted, outranking whichever attempt runs.

    Its worker can no longer save anything, so it would never write the end itself. The message
    object is the row as it was last saved, marked failed.
    """
    gone = MessageRead.model_validate(message).model_copy(
        update={"status": Status.failed, "error": DELETED_SENTENCE, "error_code": DELETED_CODE}
    )
    if await log.append(message.id, ANY_ATTEMPT, terminal_event(gone), final=True) is not None:
        _count(gone)
        await _record(log, gone)


async def _record(log: EventLog, message: Message | MessageRead) -> None:
    """An end made here (not the worker's, which sends it with its own pipeline: worker/finish.py)
    counts in its minute for the Status page (core/status.py)."""
    try:
        await status.record(log.redis, message)
    except RedisError as error:
        logger.warning("could not count the end of %s on the status page: %r", message.id, error)
