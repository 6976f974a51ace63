"""The `make_title` job: the conversation's model names the conversation after its first question.

It runs on its own, after the first answer has ended (so on a one-request-at-a-time local model
it never delays an answer), and gives up quickly. It is a job of the conversation's owner's, as
their answers are: admitted within their limits, run in their turn and in one of their running
slots (core/jobs.py), and what the model call cost is counted in their usage. Whatever it writes
is a compare-and-set on the title it started from: a title someone typed meanwhile always wins.
"""

import asyncio
import logging
from dataclasses import dataclass

from sqlmodel import col, select, update

from core.catalog import ModelSpec, UnknownModel
from core.db import Sessionmaker
from core.failures import AnswerFailure
from core.models import Conversation, Message, Role, TitleSource
from core.titles import clean_title, fallback_title
from core.tokens import counter_for
from core.updates import Change, publish_change
from worker.deps import WorkerDeps
from worker.job_usage import record_job_usage
from worker.upstream import Reply, classify, complete_chat

logger = logging.getLogger(__name__)

TITLE_MAX_TOKENS = 24
QUESTION_CHARS = 2000
AUTOMATIC = (TitleSource.default, TitleSource.fallback)

SYSTEM = (
    "You name chat conversations. Reply with a title of two to six words that says what the "
    "conversation is about, in the language of the message. Reply with the title only: no quotes, "
    "no punctuation at the end."
)


def title_prompt(question: str) -> list[dict[str, str]]:
    """What the model is asked (tests script the model's reply by its last user message)."""
    ask = f"Name the conversation that starts with this message:\n\n{question[:QUESTION_CHARS]}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": ask}]


@dataclass(frozen=True)
class Snapshot:
    owner_id: str | None
    title: str
    source: TitleSource
    model: str | None
    question: str


async def _snapshot(sessionmaker: Sessionmaker, conversation_id: str) -> Snapshot | None:
    async with sessionmaker() as session:
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None:
            return None
        first = await session.exec(
            select(Message.content)
            .where(Message.conversation_id == conversation_id, Message.role == Role.user)
            .order_by(col(Message.id))
            .limit(1)
        )
        question = first.first()
        if question is None:
            return None
        return Snapshot(
            conversation.owner_id, conversation.title, conversation.title_source, conversation.model, question
        )


async def _store(
    sessionmaker: Sessionmaker, conversation_id: str, seen: Snapshot, title: str, source: TitleSource
) -> bool:
    """Write the title only if it is still the one the job started from; `updated_at` stays, since
    the sidebar orders by activity and a title is none."""
    async with sessionmaker() as session:
        result = await session.exec(
            update(Conversation)
            .where(col(Conversation.id) == conversation_id)
            .where(col(Conversation.title) == seen.title, col(Conversation.title_source) == seen.source)
            .values(title=title, title_source=source)
        )
        await session.commit()
        return bool(result.rowcount)


async def _ask_model(deps: WorkerDeps, seen: Snapshot) -> str:
    spec = deps.catalog.get(seen.model)
    client = deps.upstreams.client(spec)
    prompt = title_prompt(seen.question)
    try:
        reply = await asyncio.wait_for(
            complete_chat(client, spec.id, prompt, TITLE_MAX_TOKENS), deps.settings.title_timeout_seconds
        )
    except TimeoutError:
        raise AnswerFailure("timeout", "The model took too long to name the conversation.") from None
    except Exception as error:
        raise classify(error, str(client.base_url)) from error
    if seen.owner_id:
        await _count_usage(deps, seen.owner_id, spec, prompt, reply)
    title = clean_title(reply.text)
    if title is None:
        raise AnswerFailure("bad_response", f"The model's reply is no title: {reply.text[:80]!r}")
    return title


async def _count_usage(
    deps: WorkerDeps, owner: str, spec: ModelSpec, prompt: list[dict[str, str]], reply: Reply
) -> None:
    """What the call cost, in its owner's usage (the server's counts, else ours) and their limits."""
    counter = counter_for(spec)
    asked = reply.prompt_tokens
    if asked is None:
        asked = sum(counter.count(message["content"]) for message in prompt)
    answered = reply.completion_tokens if reply.completion_tokens is not None else counter.count(reply.text)
    await record_job_usage(deps, owner, "title", spec, asked, answered)


async def make_title(deps: WorkerDeps, conversation_id: str, regenerate: bool = False) -> str:
    """Name the conversation. The automatic run (after the first answer) only replaces a placeholder
    or a fallback title; a person's "regenerate" replaces any title, unless it is edited meanwhile."""
    seen = await _snapshot(deps.sessionmaker, conversation_id)
    if seen is None:
        return "nothing to name"
    if not regenerate and seen.source not in AUTOMATIC:
        return "named by hand"
    try:
        title, source = await _ask_model(deps, seen), TitleSource.generated
    except Exception as failure:
        # Whatever went wrong, the conversation keeps a readable title; a bug is logged in full.
        if isinstance(failure, AnswerFailure):
            # Its code alone: a server's error text, or the reply, may quote the conversation.
            logger.warning("title of %s: %s", conversation_id, failure.code)
        elif isinstance(failure, UnknownModel):
            logger.warning("title of %s: %s", conversation_id, failure)
        else:
            logger.exception("title of %s failed", conversation_id)
        if seen.source != TitleSource.default:
            # Keep the title there is (a fallback already, or one a regenerate was asked to replace).
            await publish_change(deps.redis, conversation_id, seen.owner_id, Change.title_failed)
            return "failed; title kept"
        title, source = fallback_title(seen.question), TitleSource.fallback
    if not await _store(deps.sessionmaker, conversation_id, seen, title, source):
        return "changed meanwhile; left alone"
    await publish_change(deps.redis, conversation_id, seen.owner_id, Change.new_title)
    return source.value
