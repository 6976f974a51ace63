"""Conversations: creating, listing, reading, changing and deleting them."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status
from sqlmodel import col, select

from api.accounts.auth import UserDep
from api.deletion import delete_conversations
from api.deps import DepsDep, SessionDep
from api.lookups import ConversationDep
from api.placing import PLACEMENT, place
from api.refusals import CONVERSATION_NOT_FOUND, NotFound
from api.routing import CheckedRoute
from api.schemas import ConversationCreate, ConversationPage, ConversationsDelete, ConversationUpdate
from core.catalog import Catalog, UnknownModel, answer_token_limit
from core.models import Conversation, Source, TitleSource, utcnow
from core.sampling import SAMPLING, Sampling, sampling_problem
from core.schemas import ConversationRead
from core.tools import available_tools
from core.updates import Change, publish_change

router = APIRouter(route_class=CheckedRoute, prefix="/conversations", tags=["conversations"])


def _check_settings(
    catalog: Catalog, model: str | None, max_tokens: int | None, sampling: Sampling = (None, None, None)
) -> None:
    """The model must be in the catalog, the answer's max tokens must leave the prompt room, and
    the sampling (temperature, top_p, seed) must be within the model's limits."""
    try:
        spec = catalog.get(model)
    except UnknownModel as unknown:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(unknown)) from None
    limit = answer_token_limit(spec)
    if max_tokens is not None and max_tokens > limit:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            f"Max tokens can be at most {limit:,} for {spec.label or spec.id}: half of its "
            f"{spec.context_window:,}-token context window, so the prompt keeps the other half",
        )
    if problem := sampling_problem(spec, *sampling):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, problem)


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_conversation(
    body: ConversationCreate, user: UserDep, session: SessionDep, deps: DepsDep
) -> ConversationRead:
    _check_settings(deps.catalog, body.model, body.max_tokens, (body.temperature, body.top_p, body.seed))
    if body.tools:
        body.tools = await _offered(session, body.tools)
    conversation = Conversation(**body.model_dump(), owner_id=user.user_id)
    # A title given here was chosen by someone: no generated title replaces it.
    conversation.title_source = TitleSource.user if "title" in body.model_fields_set else TitleSource.default
    session.add(conversation)
    await session.commit()
    return ConversationRead.model_validate(conversation)


async def _offered(session: SessionDep, names: list[str]) -> list[str]:
    """The tools named, once each, if every one is offered (GET /api/tools); 422 naming the rest."""
    offered = {tool.name for tool in await available_tools(session)}
    if unknown := [name for name in names if name not in offered]:
        sentence = f"No such tool: {', '.join(unknown)} (see GET /api/tools)"
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, sentence)
    return list(dict.fromkeys(names))


@router.get("")
async def list_conversations(
    user: UserDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    source: Annotated[Source, Query(description="Where they came from")] = Source.app,
    archived: Annotated[bool, Query(description="List the archived ones (only them) instead")] = False,
) -> ConversationPage:
    """The user's conversations, the pinned first (newest pin first), then most recently active
    first: those made in the app, or with `source=api` those that came through the
    OpenAI-compatible routes. Archived ones are left out, or with `archived=true` listed alone."""
    archived_at = col(Conversation.archived_at)
    shelf = archived_at.is_not(None) if archived else archived_at.is_(None)
    rows = await session.exec(
        select(Conversation)
        .where(Conversation.owner_id == user.user_id, Conversation.source == source, shelf)
        .order_by(
            col(Conversation.pinned_at).desc().nulls_last(),
            col(Conversation.updated_at).desc(),
            col(Conversation.id).desc(),
        )
        .offset(offset)
        .limit(limit + 1)
    )
    items = list(rows)
    more = len(items) > limit
    return ConversationPage(
        items=[ConversationRead.model_validate(c) for c in items[:limit]],
        next_offset=offset + limit if more else None,
    )


@router.get("/{conversation_id}")
async def read_conversation(conversation: ConversationDep) -> ConversationRead:
    return ConversationRead.model_validate(conversation)


@router.patch("/{conversation_id}")
async def update_conversation(
    conversation: ConversationDep, body: ConversationUpdate, session: SessionDep, deps: DepsDep
) -> ConversationRead:
    changes = body.model_dump(exclude_unset=True)
    placing = bool(changes.keys() & set(PLACEMENT))
    moved = await place(session, conversation, changes)
    if changes.get("tools"):
        offered = {tool.name for tool in await available_tools(session)}
        if unknown := [name for name in changes["tools"] if name not in offered]:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_ENTITY,
                f"No such tool: {', '.join(unknown)} (see GET /api/tools)",
            )
        changes["tools"] = list(dict.fromkeys(changes["tools"]))
    if changes.keys() & {"model", "max_tokens", *SAMPLING}:
        # Checked together: a smaller model may not fit the max tokens or sampling set for the last one.
        model = changes.get("model", conversation.model)
        temperature, top_p, seed = (changes.get(name, getattr(conversation, name)) for name in SAMPLING)
        max_tokens = changes.get("max_tokens", conversation.max_tokens)
        _check_settings(deps.catalog, model, max_tokens, (temperature, top_p, seed))
    for field, value in changes.items():
        setattr(conversation, field, value)
    if "title" in changes:
        conversation.title_source = TitleSource.user  # set by hand: never replaced automatically
    if changes or not placing:
        conversation.updated_at = utcnow()  # placing it alone leaves its place among the active
    session.add(conversation)
    await session.commit()
    if moved:
        await publish_change(deps.redis, conversation.id, conversation.owner_id, Change.conversation)
    if "title" in changes:
        await publish_change(deps.redis, conversation.id, conversation.owner_id, Change.new_title)
    return ConversationRead.model_validate(conversation)


@router.delete("/{conversation_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_conversation(conversation: ConversationDep, session: SessionDep, deps: DepsDep) -> Response:
    await delete_conversations(session, deps.log, deps.redis, deps.files, [conversation.id])
    await publish_change(deps.redis, conversation.id, conversation.owner_id, Change.conversation)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/delete", status_code=status.HTTP_204_NO_CONTENT)
async def delete_several(
    body: ConversationsDelete, user: UserDep, session: SessionDep, deps: DepsDep
) -> Response:
    """Delete several conversations at once (their running answers stop): all of them, or, when
    any is not the user's, none (404)."""
    ids = list(dict.fromkeys(body.ids))
    mine = select(Conversation.id).where(Conversation.owner_id == user.user_id, col(Conversation.id).in_(ids))
    owned = set(await session.exec(mine))
    if missing := [conversation_id for conversation_id in ids if conversation_id not in owned]:
        raise NotFound(f"{CONVERSATION_NOT_FOUND}: {missing[0]}; none was deleted")
    await delete_conversations(session, deps.log, deps.redis, deps.files, ids)
    for conversation_id in ids:
        await publish_change(deps.redis, conversation_id, user.user_id, Change.conversation)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
