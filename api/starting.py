"""Starting an answer, whatever the front: the app's submit, edit and regenerate, and /v1's chat
completions and responses all call `start_answer`.

A front says what it asks (an `Ask`); `start_answer` checks it, stores what is new (the question,
the turns before it, a conversation from the API) and a queued answer in one short transaction,
makes the answer the end of the conversation's selected branch, admits it within its owner's
limits, commits, then enqueues its job in its owner's turn. The database decides the races: the
`one_active_answer_per_conversation` index makes a second running answer fail (Conflict), and
`one_message_per_client_id` turns a client's retry into what its first request stored.

Everything before the writes only reads, in the read-only transaction the route began
(`START_CHECKS`): on SQLite the write lock is then held for the inserts alone, not for the
checks and the token counting.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.refusals import (
    CONVERSATION_NOT_FOUND,
    FILE_NOT_FOUND,
    Conflict,
    Invalid,
    NotFound,
    TooLarge,
    TooLongForModel,
    TooMany,
)
from core import metrics, tracing
from core.admission import OverLimit, admit, withdraw
from core.catalog import Catalog, ModelSpec, UnknownModel, budgets
from core.files.sniff import IMAGES
from core.jobs import enqueue_answer
from core.limits import Limits
from core.models import (
    Conversation,
    FileStatus,
    Message,
    Role,
    Source,
    Status,
    StoredFile,
    TitleSource,
    utcnow,
)
from core.sampling import answer_params, conversation_sampling, sampling_problem
from core.settings import Settings
from core.text import problem_of
from core.titles import fallback_title
from core.tokens import counted_text, counter_for, required_tokens

logger = logging.getLogger(__name__)

# Past this, the request is answered anyway: the answer is stored, and the sweep enqueues it.
ENQUEUE_TIMEOUT_SECONDS = 2.0
# More characters than any tokenizer packs into one token: a request longer than this many per
# token of the window cannot fit it, whatever its words.
CHARACTERS_PER_TOKEN = 8
ANSWER_ACTIVE = "An answer is still being generated in this conversation. Wait for it or stop it first."


@dataclass(frozen=True, slots=True)
class Turn:
    """A message a /v1 request brings, and what the request calls it (`messages[2]`) in a refusal:
    an answer's tool calls (OpenAI's shape), and the call a tool result answers."""

    role: Role
    text: str
    param: str
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None

    def size(self) -> int:
        """Characters, its tool calls' included."""
        return len(self.text) + sum(len(str(call)) for call in self.tool_calls or ())


@dataclass(frozen=True, kw_only=True)
class Question:
    """The app's submit: a question after `parent_id`, else after the selected branch's end."""

    conversation: Conversation
    content: str
    parent_id: str | None
    client_id: str | None
    attachments: Sequence[str] = ()  # the user's files (ids) the question brings


@dataclass(frozen=True, kw_only=True)
class Edit:
    """An edited question beside `question` (the same parent), and its answer: a new branch."""

    question: Message
    content: str
    client_id: str | None


@dataclass(frozen=True, kw_only=True)
class Regenerate:
    """A new answer beside `answer`, to the same question, with the conversation's model now."""

    answer: Message
    client_id: str | None


@dataclass(frozen=True, kw_only=True)
class Turns:
    """A /v1 request: its turns, the last the user's question or a tool's result, below
    `parent_id` in `conversation` (a previous response's), or in a new conversation of `owner`'s
    from the API when that is None, with `system_prompt`. `params` (sampling, tools,
    instructions, what a response keeps) go to the worker; `param` is what the request calls its
    list of turns (`messages`, `input`)."""

    owner: str
    param: str
    conversation: Conversation | None
    parent_id: str | None
    turns: Sequence[Turn]
    model: ModelSpec
    system_prompt: str
    params: dict[str, Any]
    # The tool calls of the answer at `parent_id`, which the first turns may answer.
    earlier_calls: frozenset[str] = frozenset()
    # The files the request brings (the user's, by id), each with the part that gave it: the
    # question's attachments, whichever user message they came in.
    files: Sequence[tuple[str, str]] = ()


Ask = Question | Edit | Regenerate | Turns


@dataclass(frozen=True, slots=True)
class Submitted:
    """The answer started, and the question it answers."""

    question: Message
    answer: Message


@dataclass(kw_only=True)
class _Plan:
    """What an ask comes to: the messages to store before the answer, and how to answer."""

    conversation: Conversation
    question: Message  # new (the last of `new`), or stored (regenerate)
    new: list[Message]
    client_id: str | None
    model: ModelSpec | None = None  # None: the conversation's, read once a retry is ruled out
    param: str | None = None  # the question's name in a /v1 request
    names_conversation: bool = False
    params: dict[str, Any] | None = None
    stored: bool = True  # the conversation is in the database already


async def start_answer(
    session: AsyncSession,
    redis: Redis,
    settings: Settings,
    catalog: Catalog,
    ask: Ask,
    limits: Limits,
    on_stored: Callable[[], None] = lambda: None,
) -> Submitted:
    """Check `ask`, store it with a queued answer, admit the answer within its owner's `limits`
    (as the request's sign-in read them), commit, and enqueue it. `on_stored` (idempotent: the
    route's turn in the start lane is left) is called once the answer is stored, before the
    enqueue, which waits on Redis alone; and in any case before this returns or raises.

    A `client_id` goes on what the request made first (the question; a regenerated answer); a
    request with a client_id that already made something gets that instead, and changes nothing.
    Refusals: NotFound, Conflict, Invalid, TooLarge (api/refusals.py), TooMany over the limits."""
    started = time.perf_counter()
    # The answer's trace starts here (traces on): the job and the streams continue it.
    with tracing.span("answer.start"):
        try:
            submitted = await _start(session, redis, settings, catalog, ask, limits, on_stored)
        finally:
            on_stored()
        tracing.annotate(answer_id=submitted.answer.id, model=submitted.answer.model)
    metrics.SUBMIT_SECONDS.observe(time.perf_counter() - started)
    return submitted


async def _start(
    session: AsyncSession,
    redis: Redis,
    settings: Settings,
    catalog: Catalog,
    ask: Ask,
    limits: Limits,
    on_stored: Callable[[], None],
) -> Submitted:
    plan = await _plan(session, ask)
    conversation, question = plan.conversation, plan.question
    if plan.new:
        # A tool's result may be empty: the call was made, and that is what it returned. A question
        # may be its files alone ("what is in this?" goes without saying).
        empty = question.role == Role.tool or bool(question.attachments)
        _check_content(question.content, settings.max_message_chars, plan.param, empty_allowed=empty)
    if plan.client_id and (stored := await _stored(session, conversation.id, plan.client_id)):
        return stored
    model = plan.model or _model_of(catalog, conversation)
    if question.attachments and not model.supports("vision"):
        params = [param for _, param in ask.files] if isinstance(ask, Turns) else ()
        await _refuse_images(session, model, question.attachments, params)
    if plan.params is None and (problem := sampling_problem(model, *conversation_sampling(conversation))):
        # Checked when set, against the model then; the model an app answer uses may have changed
        # since (the catalog's default, or its limits): a request the model would refuse is not sent.
        raise Invalid(f"{problem}; change it in the conversation's settings")
    counter = counter_for(model)
    if plan.new:
        # Counted once, here: every later prompt of the branch sums the stored count.
        question.tokens = counter.count(counted_text(question.content, question.tool_calls))
        question.tokenizer = counter.name
    system_prompt = (plan.params or {}).get("instructions", conversation.system_prompt)
    needed = required_tokens(counter, system_prompt, question)
    room, _ = budgets(model, settings.max_answer_tokens, conversation.max_tokens)
    if needed > room:
        sentence = (
            f"Message is too long for the model: {needed:,} tokens with the system prompt, room for {room:,}"
        )
        raise TooLongForModel(sentence, param=plan.param)
    # A conversation with an answer running is not read for here: the database refuses the
    # second one (the index), which costs only the rare conflict a write and a rollback.
    owner = conversation.owner_id
    title = await _fallback_title(session, question) if plan.names_conversation else None
    # Ends the reads' transaction; what follows is a write transaction of its own. Nothing may be
    # changed before it: a change it flushed would be a write in the read-only transaction, which
    # SQLite refuses when another process has written meanwhile.
    await session.commit()
    answer = Message(
        conversation_id=question.conversation_id,
        parent_id=question.id,
        role=Role.assistant,
        status=Status.queued,
        model=model.id,
        # An app answer samples as its conversation says now, through the same params a /v1
        # request's answer brings: the worker has one path, and a taken-over attempt samples alike.
        params=(plan.params if plan.params is not None else answer_params(conversation)) or None,
        client_id=None if plan.new else plan.client_id,
    )
    if plan.new:
        question.client_id = plan.client_id
    if title is not None:
        # Named at once; the worker's title job may replace it later.
        conversation.title = title
        conversation.title_source = TitleSource.fallback
    conversation.selected_leaf_id = answer.id
    conversation.updated_at = utcnow()
    session.add_all([conversation, *plan.new, answer])
    conversation_id = conversation.id  # the rollback below expires every loaded object
    try:
        await _admit_and_commit(session, redis, owner, answer.id, limits)
    except IntegrityError:
        await session.rollback()
        return await _repeat_or_conflict(session, conversation_id, plan.client_id)
    on_stored()
    await _enqueue(redis, answer.id, owner, fair=settings.fair_dispatch)
    return Submitted(question, answer)


async def _fallback_title(session: AsyncSession, question: Message) -> str:
    """What names the conversation until a title is made: its first question's first line, or
    the name of its first file when it brings files alone."""
    if question.content.strip() or not question.attachments:
        return fallback_title(question.content)
    named = await session.exec(select(StoredFile.name).where(col(StoredFile.id) == question.attachments[0]))
    return fallback_title(named.first() or "")


async def _plan(session: AsyncSession, ask: Ask) -> _Plan:
    match ask:
        case Question(conversation=conversation):
            parent_id = await _parent_of_question(session, conversation, ask.parent_id)
            first = parent_id is None and conversation.title_source == TitleSource.default
            attachments = await _attachments(session, conversation.owner_id, ask.attachments)
            plan = _question_plan(conversation, parent_id, ask.content, ask.client_id, names=first)
            plan.question.attachments = attachments
            return plan
        case Edit(question=old):
            if old.role != Role.user:
                raise Conflict("Only a question can be edited")
            conversation = await _conversation_of(session, old)
            plan = _question_plan(conversation, old.parent_id, ask.content, ask.client_id)
            plan.question.attachments = old.attachments  # an edit keeps the question's files
            return plan
        case Regenerate(answer=old):
            if old.role != Role.assistant:
                raise Conflict("Only an answer can be regenerated")
            asked = await session.get(Message, old.parent_id) if old.parent_id else None
            if asked is None:
                raise Conflict("This answer has no question to answer again")
            conversation = await _conversation_of(session, old)
            return _Plan(conversation=conversation, question=asked, new=[], client_id=ask.client_id)
        case Turns(files=files):
            plan = _turns_plan(ask)
            if files:
                if plan.question.role != Role.user:
                    sentence = "files and images go with the question: the last message must be the user's"
                    raise Invalid(sentence, param=files[0][1])
                ids, params = [file_id for file_id, _ in files], [param for _, param in files]
                plan.question.attachments = await _attachments(session, ask.owner, ids, params)
            return plan


async def _attachments(
    session: AsyncSession, owner: str | None, file_ids: Sequence[str], params: Sequence[str] = ()
) -> list[str] | None:
    """The question's files, each the owner's and not failed (NotFound, Invalid otherwise), each
    named in a refusal by its `params` (else `attachments[i]`). One still being read is waited
    for by the answer's job (worker/generate.py), not refused."""
    if not file_ids:
        return None
    if len(set(file_ids)) < len(file_ids):
        raise Invalid("Each file may be attached once.", param="attachments")
    names = list(params) or [f"attachments[{index}]" for index in range(len(file_ids))]
    found = await session.exec(select(StoredFile).where(col(StoredFile.id).in_(file_ids)))
    files = {stored.id: stored for stored in found if stored.owner_id == owner}
    for file_id, param in zip(file_ids, names, strict=True):
        stored = files.get(file_id)
        if stored is None:
            raise NotFound(FILE_NOT_FOUND, param=param)
        if stored.status == FileStatus.failed:
            raise Invalid(f"{stored.name} could not be read: {stored.error}", param=param)
    return list(file_ids)


async def _refuse_images(
    session: AsyncSession, model: ModelSpec, file_ids: Sequence[str], params: Sequence[str] = ()
) -> None:
    """Invalid when an attached file is an image, for a model that cannot see: refused before
    anything runs, rather than an answer that ignores it (named by its param, as `_attachments`)."""
    images = await session.exec(
        select(StoredFile.id, StoredFile.name).where(
            col(StoredFile.id).in_(file_ids), col(StoredFile.content_type).in_(IMAGES)
        )
    )
    if (image := images.first()) is not None:
        file_id, name = image
        param = params[list(file_ids).index(file_id)] if params else "attachments"
        raise Invalid(
            f"The model {model.id} cannot see images ({name}): pick a model that can, or remove the image.",
            param=param,
        )


def _question_plan(
    conversation: Conversation,
    parent_id: str | None,
    content: str,
    client_id: str | None,
    *,
    names: bool = False,
) -> _Plan:
    """A new question after `parent_id`, answered with the conversation's model."""
    question = Message(conversation_id=conversation.id, parent_id=parent_id, role=Role.user, content=content)
    return _Plan(
        conversation=conversation,
        question=question,
        new=[question],
        client_id=client_id,
        names_conversation=names,
    )


def _turns_plan(ask: Turns) -> _Plan:
    turns = ask.turns
    if not turns or turns[-1].role not in (Role.user, Role.tool):
        sentence = "the last message (system and developer aside) must be the user's or a tool's result"
        raise Invalid(sentence, param=ask.param)
    _check_tool_results(turns, ask.earlier_calls)
    # The whole request, not only its question: text the model's window could never hold is
    # refused before anything is stored (no token counting: characters bound tokens from above).
    budget = ask.model.context_window * CHARACTERS_PER_TOKEN
    total = sum(turn.size() for turn in turns) + len(ask.system_prompt)
    if total > budget:
        sentence = (
            f"the request holds {total:,} characters, more than {ask.model.id}'s window of "
            f"{ask.model.context_window:,} tokens could ever take"
        )
        raise TooLongForModel(sentence, param=ask.param)
    asked = next((turn.text for turn in reversed(turns) if turn.role == Role.user), turns[-1].text)
    conversation = ask.conversation or Conversation(
        owner_id=ask.owner,
        title=fallback_title(asked),
        title_source=TitleSource.fallback,
        system_prompt=ask.system_prompt,
        model=ask.model.id,
        source=Source.openai,
    )
    rows: list[Message] = []
    for turn in turns:
        rows.append(
            Message(
                conversation_id=conversation.id,
                parent_id=rows[-1].id if rows else ask.parent_id,
                role=turn.role,
                content=turn.text,
                tool_calls=turn.tool_calls,
                tool_call_id=turn.tool_call_id,
                model=ask.model.id if turn.role == Role.assistant else None,
            )
        )
    return _Plan(
        conversation=conversation,
        question=rows[-1],
        new=rows,
        model=ask.model,
        client_id=None,
        param=turns[-1].param,
        params=ask.params,
        stored=ask.conversation is not None,
    )


async def _parent_of_question(
    session: AsyncSession, conversation: Conversation, parent_id: str | None
) -> str | None:
    """Where a new question goes: after `parent_id` (what the client shows), else after the
    selected branch's end, else after the newest message."""
    if parent_id is None:
        parent_id = conversation.selected_leaf_id
        if parent_id is None:
            newest = await session.exec(
                select(Message.id)
                .where(Message.conversation_id == conversation.id)
                .order_by(col(Message.id).desc())
            )
            return newest.first()
    parent = await session.get(Message, parent_id)
    if parent is None and not await _exists(session, conversation.id):
        raise NotFound(CONVERSATION_NOT_FOUND)  # deleted since the route's lookup, its messages too
    if parent is None or parent.conversation_id != conversation.id:
        raise Invalid("parent_id is not a message of this conversation")
    if parent.role != Role.assistant:
        raise Invalid("A new question must follow an answer")
    return parent.id


async def _conversation_of(session: AsyncSession, message: Message) -> Conversation:
    """The conversation of a message the route's lookup found (and so the user's)."""
    conversation = await session.get(Conversation, message.conversation_id)
    if conversation is None:  # deleted since the lookup
        raise NotFound(CONVERSATION_NOT_FOUND)
    return conversation


def _model_of(catalog: Catalog, conversation: Conversation) -> ModelSpec:
    try:
        return catalog.get(conversation.model)
    except UnknownModel as unknown:
        raise Conflict(f"This conversation's model is gone: {unknown}") from None


def _check_tool_results(turns: Sequence[Turn], earlier_calls: frozenset[str]) -> None:
    """Each tool result answers a call an earlier answer made."""
    calls = set(earlier_calls)
    for turn in turns:
        calls.update(call["id"] for call in turn.tool_calls or ())
        if turn.role == Role.tool and turn.tool_call_id not in calls:
            sentence = f"no earlier assistant message made the tool call `{turn.tool_call_id}`"
            raise Invalid(sentence, param=turn.param)


def _check_content(
    content: str, limit: int, param: str | None = None, *, empty_allowed: bool = False
) -> None:
    """A question must have text (unless `empty_allowed`), only text (core/text.py), and at most
    `limit` characters."""
    where = f"{param}.content" if param else None
    if not content.strip() and not empty_allowed:
        raise Invalid("Message is empty", param=where)
    if problem := problem_of(content):
        raise Invalid(f"Message holds {problem}", param=where)
    if len(content) > limit:
        sentence = f"Message is too long: {len(content):,} characters, the limit is {limit:,}"
        raise TooLarge(sentence, param=where)


async def _admit_and_commit(
    session: AsyncSession, redis: Redis, owner: str | None, answer_id: str, limits: Limits
) -> None:
    """Admit the answer within its owner's limits (TooMany otherwise), then commit what the
    session holds; if the commit fails, the admission is withdrawn and the error raised."""
    if owner:
        await _admit(redis, owner, answer_id, limits)
    try:
        await session.commit()
    except BaseException:
        if owner:
            await _withdraw(redis, owner, answer_id)
        raise


async def _admit(redis: Redis, owner: str, answer_id: str, limits: Limits) -> None:
    try:
        await asyncio.wait_for(admit(redis, owner, answer_id, limits, utcnow()), ENQUEUE_TIMEOUT_SECONDS)
    except OverLimit as over:
        raise TooMany(over.sentence, over.retry_after_seconds) from None
    except (RedisError, TimeoutError) as error:
        # The answer is stored either way and the sweep enqueues it; while Redis is out, limits
        # cannot be counted, and an answer is not refused for that.
        logger.warning("could not count answer %s against its limits (%r)", answer_id, error)


async def _withdraw(redis: Redis, owner: str, answer_id: str) -> None:
    try:
        await withdraw(redis, owner, answer_id)
    except RedisError as error:  # the sweep drops it once the grace period has passed
        logger.warning("could not withdraw the admission of %s (%r)", answer_id, error)


async def _enqueue(redis: Redis, answer_id: str, owner: str | None, *, fair: bool) -> None:
    """Enqueue a stored answer, with its trace context; if Redis does not answer, the workers'
    sweep enqueues it later."""
    enqueued = enqueue_answer(redis, answer_id, owner, fair=fair, traceparent=tracing.traceparent())
    try:
        await asyncio.wait_for(enqueued, ENQUEUE_TIMEOUT_SECONDS)
    except (RedisError, TimeoutError) as error:
        logger.warning("could not enqueue answer %s now (%r); the sweep will", answer_id, error)


async def _stored(session: AsyncSession, conversation_id: str, client_id: str) -> Submitted | None:
    """What an earlier request with this client_id made: a question and its first answer, or a
    regenerated answer and its question."""
    made = (
        await session.exec(
            select(Message).where(Message.conversation_id == conversation_id, Message.client_id == client_id)
        )
    ).first()
    if made is None:
        return None
    if made.role == Role.assistant:
        question = await session.get(Message, made.parent_id) if made.parent_id else None
        assert question is not None  # an answer is only ever made for a stored question
        return Submitted(question, made)
    answer = (
        await session.exec(
            select(Message)
            .where(Message.parent_id == made.id, Message.role == Role.assistant)
            .order_by(col(Message.id))
        )
    ).first()
    assert answer is not None  # both are written in one transaction
    return Submitted(made, answer)


async def _repeat_or_conflict(
    session: AsyncSession, conversation_id: str, client_id: str | None
) -> Submitted:
    """A concurrent request got there first: the same one again, or another one (Conflict)."""
    if client_id and (stored := await _stored(session, conversation_id, client_id)):
        return stored
    if not await _exists(session, conversation_id):  # deleted meanwhile
        raise NotFound(CONVERSATION_NOT_FOUND)
    raise Conflict(ANSWER_ACTIVE, clears=True)


async def _exists(session: AsyncSession, conversation_id: str) -> bool:
    """Whether the conversation is in the database (not the session's copy, which may be older)."""
    found = await session.exec(select(Conversation.id).where(Conversation.id == conversation_id))
    return found.first() is not None
