"""An answer stored from the Responses API, seen as OpenAI's response object."""

from typing import Any

from api.openai.responses_schemas import (
    OUTPUT_PREFIX,
    RESPONSE_PREFIX,
    IncompleteDetails,
    ItemStatus,
    OutputMessage,
    OutputText,
    ResponseBody,
    ResponseError,
    ResponseStatus,
    ResponseUsage,
)
from core.models import Status
from core.schemas import MessageRead


def response_id(answer_id: str) -> str:
    return f"{RESPONSE_PREFIX}{answer_id}"


def answer_id_of(response: str) -> str | None:
    """The answer a response id names; None for what is not a response id."""
    return response.removeprefix(RESPONSE_PREFIX) if response.startswith(RESPONSE_PREFIX) else None


def asked(params: dict[str, Any] | None) -> dict[str, Any]:
    """What the Responses request kept of itself in its answer's params (empty: not a response)."""
    kept: dict[str, Any] = (params or {}).get("response") or {}
    return kept


def _status(answer: MessageRead) -> ResponseStatus:
    if answer.status == Status.queued:
        return "queued"
    if answer.status == Status.streaming:
        return "in_progress"
    if answer.status == Status.stopped:
        return "cancelled"
    if answer.status == Status.failed:
        return "failed"
    return "incomplete" if answer.finish_reason == "length" else "completed"


def output_item(answer_id: str, text: str, status: ResponseStatus) -> OutputMessage:
    item_status: ItemStatus = "incomplete"
    if status in ("queued", "in_progress"):
        item_status = "in_progress"
    elif status == "completed":
        item_status = "completed"
    return OutputMessage(
        id=f"{OUTPUT_PREFIX}{answer_id}", status=item_status, content=[OutputText(text=text)]
    )


def response_body(answer: MessageRead, params: dict[str, Any] | None) -> ResponseBody:
    """The response object of `answer` as it is now: its status, its text and usage once it ends."""
    kept, sampling = asked(params), params or {}
    status = _status(answer)
    final = status not in ("queued", "in_progress")
    usage = None
    if final and answer.prompt_tokens is not None:
        prompt, completion = answer.prompt_tokens, answer.completion_tokens or 0
        usage = ResponseUsage(input_tokens=prompt, output_tokens=completion, total_tokens=prompt + completion)
    return ResponseBody(
        id=response_id(answer.id),
        created_at=int(answer.created_at.timestamp()),
        status=status,
        background=kept.get("background", False),
        error=ResponseError(code=answer.error_code or "failed", message=answer.error or "The answer failed.")
        if status == "failed"
        else None,
        incomplete_details=IncompleteDetails(reason="max_output_tokens") if status == "incomplete" else None,
        instructions=sampling.get("instructions") or None,
        max_output_tokens=kept.get("max_output_tokens"),
        metadata=kept.get("metadata") or {},
        model=answer.model or "",
        output=[output_item(answer.id, answer.content, status)] if final or answer.content else [],
        previous_response_id=kept.get("previous_response_id"),
        store=kept.get("store", True),
        temperature=sampling.get("temperature"),
        text=kept.get("text") or {"format": {"type": "text"}},
        top_p=sampling.get("top_p"),
        usage=usage,
        user=sampling.get("user"),
    )
