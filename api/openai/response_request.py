"""A Responses API request as relaychat stores it: its input as the turns of a conversation from
the API (the previous response's, continued, or a new one) and its answer, with what the request
asked kept in the answer's params (api/openai/chat_request.py)."""

from typing import Any

from arq.connections import ArqRedis
from fastapi import HTTPException, status
from sqlmodel.ext.asyncio.session import AsyncSession

from api.lookups import find_response
from api.openai.chat_request import (
    PREVIOUS_RUNNING,
    Turn,
    model_named,
    new_api_conversation,
    start_api_answer,
    text_of,
)
from api.openai.errors import BadParameter
from api.openai.responses_schemas import UNSUPPORTED, ResponseRequest
from core.catalog import Catalog
from core.models import FINAL_STATUSES, Conversation, Message, Role
from core.settings import Settings

INPUT_PARTS = ("input_text", "output_text", "text")
PREVIOUS_NOT_FOUND = "No stored response has this id"


def _check_supported(body: ResponseRequest) -> None:
    for name, value in (body.model_extra or {}).items():
        if name in UNSUPPORTED and value not in (None, [], {}, "none", "auto", "disabled"):
            raise BadParameter(name, "relaychat does not support this parameter")
    if body.background and not body.store:
        raise BadParameter("store", "a background response must be stored")


def _turns(body: ResponseRequest) -> tuple[list[str], list[Turn]]:
    """The input's system and developer texts, and its other messages as turns."""
    if isinstance(body.input, str):
        return [], [Turn(Role.user, body.input, "input")]
    system: list[str] = []
    turns: list[Turn] = []
    for index, item in enumerate(body.input):
        param = f"input[{index}]"
        role = item.get("role")
        if item.get("type", "message") != "message" or role not in (
            "user",
            "assistant",
            "system",
            "developer",
        ):
            raise BadParameter(
                param, "only messages of the user, the assistant, the system or the developer are supported"
            )
        text = text_of(item.get("content"), param, INPUT_PARTS)
        if role in ("system", "developer"):
            system.append(text)
        else:
            turns.append(Turn(Role(role), text, param))
    return system, turns


async def _previous(session: AsyncSession, owner: str, response_id: str) -> tuple[Conversation, Message]:
    try:
        answer = await find_response(session, response_id, owner)
    except HTTPException:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"previous_response_id: {PREVIOUS_NOT_FOUND}"
        ) from None
    if answer.status not in FINAL_STATUSES:
        raise HTTPException(status.HTTP_409_CONFLICT, PREVIOUS_RUNNING)
    conversation = await session.get(Conversation, answer.conversation_id)
    assert conversation is not None  # the lookup joined it
    return conversation, answer


async def start_response(
    session: AsyncSession,
    redis: ArqRedis,
    settings: Settings,
    catalog: Catalog,
    owner: str,
    body: ResponseRequest,
) -> Message:
    """Store the input below the previous response (or as a new conversation) and start its answer.

    `instructions` (with the input's system and developer messages) are this answer's system
    prompt alone: as in OpenAI's API, a continued response does not inherit the previous ones'."""
    _check_supported(body)
    model = model_named(catalog, body.model)
    system, turns = _turns(body)
    if not turns or turns[-1].role != Role.user:
        raise BadParameter("input", "the last message (system and developer aside) must be the user's")
    instructions = "\n\n".join(text for text in [body.instructions or "", *system] if text)
    kept: dict[str, Any] = {
        "background": body.background,
        "store": body.store,
        "metadata": body.metadata or {},
        "previous_response_id": body.previous_response_id,
        "max_output_tokens": body.max_output_tokens,
    }
    params: dict[str, Any] = {"instructions": instructions, "response": kept}
    params |= {
        name: value for name in ("temperature", "top_p", "user") if (value := getattr(body, name)) is not None
    }
    if body.max_output_tokens is not None:
        params["max_tokens"] = body.max_output_tokens
    if body.previous_response_id:
        conversation, previous = await _previous(session, owner, body.previous_response_id)
        parent_id: str | None = previous.id
    else:
        conversation, parent_id = new_api_conversation(owner, model, turns[-1].text, instructions), None
    return await start_api_answer(session, redis, settings, conversation, parent_id, turns, model, params)
