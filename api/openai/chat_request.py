"""A /v1 request as relaychat stores it: the turns of a conversation from the API (a new one, or
the one a previous response continues) and a queued answer carrying the request's parameters,
admitted and enqueued as any other (api/starting.py)."""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from arq.connections import ArqRedis
from fastapi import HTTPException, status
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from api.openai.chat_schemas import UNSUPPORTED, ChatCompletionRequest
from api.openai.errors import BadParameter
from api.starting import admit_and_commit, check_content, check_fits, enqueue_stored, queued_answer
from core.catalog import Catalog, ModelSpec, UnknownModel
from core.limits import limits_of
from core.models import SAMPLING_PARAMS, Conversation, Message, Role, Source, TitleSource, utcnow
from core.settings import Settings
from core.titles import fallback_title
from core.tokens import counter_for

PREVIOUS_RUNNING = "The conversation's previous answer is still running: wait for it or cancel it first."


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of a request's conversation, and the parameter it came from (for errors)."""

    role: Role
    text: str
    param: str


def text_of(content: str | list[dict[str, Any]] | None, param: str, part_types: Collection[str]) -> str:
    """A message's text: a string, or its text parts joined; any other part is a 400."""
    if content is None or isinstance(content, str):
        return content or ""
    texts = []
    for part in content:
        if part.get("type") not in part_types or not isinstance(part.get("text"), str):
            raise BadParameter(f"{param}.content", "only text parts are supported")
        texts.append(part["text"])
    return "".join(texts)


def model_named(catalog: Catalog, name: str) -> ModelSpec:
    try:
        return catalog.get(name)
    except UnknownModel:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"The model `{name}` does not exist") from None


def new_api_conversation(
    owner: str, model: ModelSpec, first_question: str, system_prompt: str
) -> Conversation:
    return Conversation(
        owner_id=owner,
        title=fallback_title(first_question),
        title_source=TitleSource.fallback,
        system_prompt=system_prompt,
        model=model.id,
        source=Source.api,
    )


async def start_api_answer(
    session: AsyncSession,
    redis: ArqRedis,
    settings: Settings,
    conversation: Conversation,
    parent_id: str | None,
    turns: list[Turn],
    model: ModelSpec,
    params: dict[str, Any],
) -> Message:
    """Store `turns` below `parent_id` and a queued answer to the last one (the user's), with
    `params` for the worker; admit it within the owner's limits, commit, enqueue."""
    if not turns or turns[-1].role != Role.user:
        raise BadParameter(turns[-1].param if turns else "messages", "the last message must be the user's")
    try:
        check_content(turns[-1].text, settings.max_message_chars)
    except HTTPException as refused:
        raise BadParameter(f"{turns[-1].param}.content", str(refused.detail)) from None
    rows: list[Message] = []
    for turn in turns:
        rows.append(
            Message(
                conversation_id=conversation.id,
                parent_id=rows[-1].id if rows else parent_id,
                role=turn.role,
                content=turn.text,
                model=model.id if turn.role == Role.assistant else None,
            )
        )
    question = rows[-1]
    counter = counter_for(model)
    question.tokens, question.tokenizer = counter.count(question.content), counter.name
    try:
        check_fits(counter, model, conversation, question, settings, params.get("instructions"))
    except HTTPException as too_long:
        raise BadParameter(turns[-1].param, str(too_long.detail)) from None
    answer = queued_answer(question, model, params=params or None)
    owner = conversation.owner_id
    assert owner is not None  # every conversation from the API has its key's user
    limits = await limits_of(session, owner)
    await session.commit()  # the reads end here; the writes get a transaction of their own
    conversation.selected_leaf_id = answer.id
    conversation.updated_at = utcnow()
    session.add_all([conversation, *rows, answer])
    try:
        await admit_and_commit(session, redis, owner, answer.id, limits)
    except IntegrityError:  # `one_active_answer_per_conversation`: a continuation raced another
        await session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, PREVIOUS_RUNNING) from None
    await enqueue_stored(redis, answer.id, owner, fair=settings.fair_dispatch)
    return answer


def _check_supported(body: ChatCompletionRequest) -> None:
    asked = set(body.model_extra or {})
    for name in UNSUPPORTED:
        if name in asked:
            raise BadParameter(name, "relaychat does not support this parameter")
    if body.n is not None and body.n > 1:
        raise BadParameter("n", "relaychat answers one choice per request")


async def start_chat_completion(
    session: AsyncSession,
    redis: ArqRedis,
    settings: Settings,
    catalog: Catalog,
    owner: str,
    body: ChatCompletionRequest,
) -> tuple[Message, ModelSpec]:
    """Store the request as a new conversation of the owner's (system and developer messages as
    its system prompt, the rest as a branch ending with the question) and start its answer."""
    _check_supported(body)
    model = model_named(catalog, body.model)
    system: list[str] = []
    turns: list[Turn] = []
    for index, message in enumerate(body.messages):
        text = text_of(message.content, f"messages[{index}]", ("text",))
        if message.role in ("system", "developer"):
            system.append(text)
        else:
            turns.append(Turn(Role(message.role), text, f"messages[{index}]"))
    if not turns or turns[-1].role != Role.user:
        raise BadParameter("messages", "the last one (system and developer aside) must be the user's")
    system_prompt = "\n\n".join(text for text in system if text)
    conversation = new_api_conversation(owner, model, turns[-1].text, system_prompt)
    params = {name: value for name in SAMPLING_PARAMS if (value := getattr(body, name)) is not None}
    if (max_tokens := body.max_completion_tokens or body.max_tokens) is not None:
        params["max_tokens"] = max_tokens
    answer = await start_api_answer(session, redis, settings, conversation, None, turns, model, params)
    return answer, model
