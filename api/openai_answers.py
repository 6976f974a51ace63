"""A Chat Completions request as relaychat stores it: a conversation from the API, its messages,
and a queued answer, admitted and enqueued as any other (api/answering.py)."""

from arq.connections import ArqRedis
from fastapi import HTTPException, status
from sqlmodel.ext.asyncio.session import AsyncSession

from api.answering import admit_and_commit, check_content, check_fits, enqueue_stored, queued_answer
from api.openai_errors import BadParameter
from api.openai_schemas import SAMPLING, UNSUPPORTED, ChatCompletionRequest, ChatMessage
from core.catalog import Catalog, ModelSpec, UnknownModel
from core.limits import limits_of
from core.models import Conversation, Message, Role, Source, TitleSource, utcnow
from core.settings import Settings
from core.titles import fallback_title
from core.tokens import counter_for


def _text(message: ChatMessage, index: int) -> str:
    if message.content is None or isinstance(message.content, str):
        return message.content or ""
    texts = []
    for part in message.content:
        if part.get("type") != "text" or not isinstance(part.get("text"), str):
            raise BadParameter(f"messages[{index}].content", "only text parts are supported")
        texts.append(part["text"])
    return "".join(texts)


def check_supported(body: ChatCompletionRequest) -> None:
    asked = set(body.model_extra or {})
    for name in UNSUPPORTED:
        if name in asked:
            raise BadParameter(name, "relaychat does not support this parameter")
    if body.n is not None and body.n > 1:
        raise BadParameter("n", "relaychat answers one choice per request")


def _model(catalog: Catalog, name: str) -> ModelSpec:
    try:
        return catalog.get(name)
    except UnknownModel:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"The model `{name}` does not exist") from None


async def start_chat_completion(
    session: AsyncSession,
    redis: ArqRedis,
    settings: Settings,
    catalog: Catalog,
    owner: str,
    body: ChatCompletionRequest,
) -> tuple[Message, ModelSpec]:
    """Store the request as a conversation of the owner's (system and developer messages as its
    system prompt, the rest as a branch ending with the question) and a queued answer carrying the
    request's sampling parameters; admit it, commit, enqueue. Returns the answer and its model."""
    check_supported(body)
    model = _model(catalog, body.model)
    system = [_text(m, i) for i, m in enumerate(body.messages) if m.role in ("system", "developer")]
    turns = [(i, m) for i, m in enumerate(body.messages) if m.role in ("user", "assistant")]
    if not turns or turns[-1][1].role != "user":
        raise BadParameter("messages", "the last one (system and developer aside) must be the user's")
    question_text = _text(turns[-1][1], turns[-1][0])
    try:
        check_content(question_text, settings.max_message_chars)
    except HTTPException as refused:
        raise BadParameter(f"messages[{turns[-1][0]}].content", str(refused.detail)) from None
    conversation = Conversation(
        owner_id=owner,
        title=fallback_title(question_text),
        title_source=TitleSource.fallback,
        system_prompt="\n\n".join(text for text in system if text),
        model=model.id,
        source=Source.api,
    )
    rows: list[Message] = []
    for index, message in turns:
        role = Role.user if message.role == "user" else Role.assistant
        rows.append(
            Message(
                conversation_id=conversation.id,
                parent_id=rows[-1].id if rows else None,
                role=role,
                content=_text(message, index),
                model=model.id if role == Role.assistant else None,
            )
        )
    question = rows[-1]
    counter = counter_for(model)
    question.tokens, question.tokenizer = counter.count(question.content), counter.name
    try:
        check_fits(counter, model, conversation, question, settings)
    except HTTPException as too_long:
        raise BadParameter("messages", str(too_long.detail)) from None
    params = {name: value for name in SAMPLING if (value := getattr(body, name)) is not None}
    if (max_tokens := body.max_completion_tokens or body.max_tokens) is not None:
        params["max_tokens"] = max_tokens
    answer = queued_answer(question, model, params=params or None)
    conversation.selected_leaf_id = answer.id
    conversation.updated_at = utcnow()
    limits = await limits_of(session, owner)
    await session.commit()  # the read above ends here; the writes get a transaction of their own
    session.add_all([conversation, *rows, answer])
    await admit_and_commit(session, redis, owner, answer.id, limits)
    await enqueue_stored(redis, answer.id, owner, fair=settings.fair_dispatch)
    return answer, model
