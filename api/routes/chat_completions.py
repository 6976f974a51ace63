"""`POST /v1/chat/completions`: OpenAI's Chat Completions, answered through the queue.

The request is stored as a conversation of the key's user (marked as from the API) and its answer
is a job like any other: admitted within the user's limits, run by the workers, taken over if one
dies. A streaming request gets OpenAI's chunks as the answer is written, and stops the answer if
it goes away; any other waits for the answer and gets the completion with its usage.
"""

from functools import partial

from fastapi import APIRouter, HTTPException, Request, Response, status

from api.accounts.auth import UserDep
from api.deps import DepsDep, LateStartDep, SessionDep
from api.openai.chat_request import chat_files, chat_turns
from api.openai.chat_schemas import ChatCompletion, ChatCompletionRequest
from api.openai.chat_stream import chunks, completion
from api.openai.input_files import file_ids, store_inline, until_started
from api.routing import CheckedRoute
from api.starting import start_answer
from api.stopping import stop_if_abandoned
from core.events import Event

router = APIRouter(route_class=CheckedRoute, prefix="/v1", tags=["openai"])

# What an answer's failure codes mean to an OpenAI client.
FAILURE_STATUS = {
    "too_long": status.HTTP_400_BAD_REQUEST,
    "file_unreadable": status.HTTP_400_BAD_REQUEST,
    "unknown_model": status.HTTP_404_NOT_FOUND,
}


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={200: {"content": {"text/event-stream": {}}, "description": "With `stream: true`"}},
)
async def create_chat_completion(
    request: Request,
    body: ChatCompletionRequest,
    user: UserDep,
    session: SessionDep,
    deps: DepsDep,
    checks: LateStartDep,
) -> ChatCompletion | Response:
    """The model's answer to `messages`: one completion, or with `stream: true` its chunks. Files
    and images its user messages bring go with its question; the answer waits until they are read."""
    parts = chat_files(deps.catalog, body, deps.settings.max_upload_mb)
    stored = await store_inline(deps, user, parts)  # before the start's checks: they hold the connection
    async with until_started(deps, session, checks, stored):
        turn = await checks.enter()
        ask = chat_turns(deps.catalog, user.user_id, body, file_ids(parts, stored))
        answer = (
            await start_answer(session, deps.redis, deps.settings, deps.catalog, ask, user.limits, turn.leave)
        ).answer
    # The answer may take minutes: give the database connection back now.
    await session.close()
    if body.stream:
        abandoned = stop_if_abandoned(deps.redis, answer.id)
        include_usage = body.stream_options is not None and body.stream_options.include_usage
        translate = partial(
            chunks, answer_id=answer.id, model=ask.model.id, include_usage=include_usage, abandoned=abandoned
        )
        return await deps.streams.translated(answer, user, request.state.checked_at, translate)
    ended = await completion(deps.relay.events(answer.id, "0"), answer.id, ask.model.id)
    if isinstance(ended, Event):
        failure = ended.json()
        code = failure.get("code", "failed")
        raise HTTPException(FAILURE_STATUS.get(code, status.HTTP_502_BAD_GATEWAY), failure.get("message"))
    return ended
