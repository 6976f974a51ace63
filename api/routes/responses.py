"""The Responses API (`/v1/responses`): OpenAI's, answered through the queue.

A response is an answer like any other, stored under the key's user in a conversation from the
API, which `previous_response_id` continues. Its stream's events are numbered from its log, so
`GET /v1/responses/{id}?stream=true&starting_after=N` resumes it exactly, on any API process. A
streaming request that is not in the background stops its answer if its client goes away; a
background one runs to its end, and can be resumed or cancelled.
"""

import asyncio
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from api.accounts.auth import UserDep
from api.deletion import delete_response_turns
from api.deps import DepsDep, LateStartDep, SessionDep
from api.lookups import ResponseDep
from api.openai.chat_stream import final_message, terminal
from api.openai.input_files import file_ids, store_inline, until_started
from api.openai.response_inputs import input_items, input_turns
from api.openai.response_objects import asked, response_body, response_id
from api.openai.response_request import response_files, response_turns
from api.openai.responses_schemas import DeletedResponse, InputItemList, ResponseBody, ResponseRequest
from api.openai.responses_stream import ResponseEvents, response_events
from api.refusals import Invalid
from api.routing import CheckedRoute
from api.starting import start_answer
from api.stopping import stop_answer, stop_if_abandoned
from api.streams.relay import Relay
from core.schemas import MessageRead

router = APIRouter(route_class=CheckedRoute, prefix="/v1", tags=["openai"])

STREAMED: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {}}, "description": "With `stream: true`"}
}
# How long a cancel waits for the worker to stop the answer before it answers with the response
# as it is (still `in_progress`; it ends `cancelled` moments later).
CANCEL_WAIT_SECONDS = 10.0
CONTINUED = "A later response continues this one: delete that one first."


async def _ended(relay: Relay, answer_id: str) -> MessageRead:
    """The answer as its terminal event holds it, once it has one."""
    return MessageRead.model_validate(final_message(await terminal(relay.events(answer_id, "0"))))


@router.post("/responses", response_model=ResponseBody, responses=STREAMED)
async def create_response(
    request: Request,
    body: ResponseRequest,
    user: UserDep,
    session: SessionDep,
    deps: DepsDep,
    checks: LateStartDep,
) -> ResponseBody | Response:
    """A response to `input`: with `stream: true` its events; with `background: true` at once,
    queued; otherwise once it has ended. Files and images its user messages bring go with its
    question; the answer waits until they are read."""
    parts = response_files(deps.catalog, body, deps.settings.max_upload_mb)
    stored = await store_inline(deps, user, parts)  # before the start's checks: they hold the connection
    async with until_started(deps, session, checks, stored):
        turn = await checks.enter()
        ask = await response_turns(session, deps.catalog, user.user_id, body, file_ids(parts, stored))
        answer = (
            await start_answer(session, deps.redis, deps.settings, deps.catalog, ask, user.limits, turn.leave)
        ).answer
    # The answer may take minutes: give the database connection back now.
    await session.close()
    if body.stream:
        abandoned = stop_if_abandoned(deps.redis, answer.id)
        events = ResponseEvents(MessageRead.model_validate(answer), answer.params, after=-1, attempt=0)
        translate = partial(response_events, events=events, abandoned=None if body.background else abandoned)
        return await deps.streams.translated(answer, user, request.state.checked_at, translate)
    if body.background:
        return response_body(MessageRead.model_validate(answer), answer.params)
    return response_body(await _ended(deps.relay, answer.id), answer.params)


@router.get("/responses/{response_id}", response_model=ResponseBody, responses=STREAMED)
async def retrieve_response(
    request: Request,
    answer: ResponseDep,
    user: UserDep,
    session: SessionDep,
    deps: DepsDep,
    stream: bool = False,
    starting_after: int = -1,
) -> ResponseBody | Response:
    """The response as it is now; with `stream=true`, its events after `starting_after`,
    replayed then live until its end."""
    stored = MessageRead.model_validate(answer)
    if not stream:
        return response_body(stored, answer.params)
    await session.close()
    events = ResponseEvents(stored, answer.params, after=starting_after, attempt=answer.attempt)
    translate = partial(response_events, events=events, abandoned=None)
    return await deps.streams.translated(answer, user, request.state.checked_at, translate)


@router.get("/responses/{response_id}/input_items")
async def list_input_items(
    answer: ResponseDep,
    session: SessionDep,
    order: Literal["asc", "desc"] = "desc",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    after: str | None = None,
) -> InputItemList:
    """The items the request gave (not the instructions, not earlier responses'): messages,
    function calls and their outputs, newest first unless `order=asc`; `after` an item's id for
    the next page."""
    turns, _ = await input_turns(session, answer)
    items = [item for turn in turns for item in input_items(turn)]
    if order == "desc":
        items.reverse()
    if after is not None:
        ids = [item.id for item in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    page = items[:limit]
    return InputItemList(
        data=page,
        first_id=page[0].id if page else None,
        last_id=page[-1].id if page else None,
        has_more=len(items) > limit,
    )


@router.post("/responses/{response_id}/cancel")
async def cancel_response(answer: ResponseDep, session: SessionDep, deps: DepsDep) -> ResponseBody:
    """Stop a background response's answer, and the model with it; a finished one stays as it is."""
    if not asked(answer.params).get("background"):
        raise Invalid("only a background response can be cancelled", param="response_id")
    if await stop_answer(session, deps.redis, deps.log, answer):
        return response_body(MessageRead.model_validate(answer), answer.params)
    await session.close()
    try:
        ended = await asyncio.wait_for(_ended(deps.relay, answer.id), CANCEL_WAIT_SECONDS)
    except TimeoutError:
        ended = MessageRead.model_validate(answer)
    return response_body(ended, answer.params)


@router.delete("/responses/{response_id}")
async def delete_response(answer: ResponseDep, session: SessionDep, deps: DepsDep) -> DeletedResponse:
    """Delete the response: its answer and its input (its conversation, when it started one).
    A running one is stopped; one that a later response continues is refused (409)."""
    await delete_response_turns(session, deps.log, deps.redis, deps.files, answer, continued=CONTINUED)
    return DeletedResponse(id=response_id(answer.id))
