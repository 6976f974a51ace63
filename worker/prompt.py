"""The prompt: the system prompt, pinned turns and the newest turns of the branch that fit the budget."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from core.models import Message, Role, Status
from core.tokens import TokenCounter, required_tokens, stored_message_tokens
from worker.documents import Document, DocumentSource, attach
from worker.images import IMAGE_TOKENS


class PromptTooLong(Exception):
    """The system prompt and the new message alone do not fit the model's context window."""

    def __init__(self, needed: int, budget: int) -> None:
        super().__init__(f"The message needs {needed} tokens but the model has room for {budget}.")
        self.needed = needed
        self.budget = budget


# What naming and fencing a document adds to its text, in tokens (about).
FENCE_TOKENS = 24


@dataclass
class Prompt:
    messages: list[dict[str, Any]]
    tokens: int
    included_ids: list[str] = field(default_factory=list)
    # What it drew on from each of the question's documents, in the question's order.
    sources: list[DocumentSource] = field(default_factory=list)


def history_turns(history: Sequence[Message]) -> list[Message]:
    """Earlier messages worth sending: questions, tool results, and answers that said something
    (text or tool calls)."""
    return [
        m
        for m in history
        if m.role != Role.assistant
        or (m.status in (Status.complete, Status.stopped) and (m.content or m.tool_calls))
    ]


def prompt_message(message: Message) -> dict[str, Any]:
    """A message as the model is sent it, in OpenAI's shape; an answer's reasoning stays out."""
    if message.role == Role.tool:
        return {"role": "tool", "tool_call_id": message.tool_call_id or "", "content": message.content}
    if message.tool_calls:
        return {"role": "assistant", "content": message.content or None, "tool_calls": message.tool_calls}
    return {"role": str(message.role), "content": message.content}


def _answered(turns: list[Message]) -> list[Message]:
    """The turns without tool results whose call is not among them (left out with its answer):
    a model server refuses a result that answers no call."""
    calls = {call["id"] for m in turns for call in m.tool_calls or ()}
    return [m for m in turns if m.role != Role.tool or m.tool_call_id in calls]


def build_prompt(
    system_prompt: str,
    history: Sequence[Message],
    question: Message,
    counter: TokenCounter,
    budget: int,
    documents: Sequence[Document] = (),
    images: Sequence[dict[str, Any]] = (),
) -> Prompt:
    """The system prompt, the pinned turns and then the newest earlier turns that fit `budget`
    tokens, then `question` with its `documents` and `images` (image parts). `history` is the
    question's branch, oldest first.

    The system prompt and the question are never cut. The question's documents come next: whole
    when they fit, else their parts that best match it (worker/documents.py). Pinned turns come
    then, newest first while they fit; the rest of the room goes to the newest turns, dropped
    whole, oldest first, so apart from pins the model sees a conversation without holes in it.
    """
    head = [{"role": "system", "content": system_prompt}] if system_prompt else []
    used = required_tokens(counter, system_prompt, question) + IMAGE_TOKENS * len(images)
    if used > budget:
        raise PromptTooLong(used, budget)
    attached = attach(documents, budget - used - FENCE_TOKENS * len(documents))
    if documents:
        used += attached.tokens + FENCE_TOKENS * len(documents)

    turns = history_turns(history)
    kept: set[str] = set()
    for message in reversed(turns):
        cost = stored_message_tokens(counter, message)
        if message.pinned and used + cost <= budget:
            kept.add(message.id)
            used += cost
    # The newest turns, back to the first one that does not fit (a pin that did not fit either).
    start = len(turns)
    for index in range(len(turns) - 1, -1, -1):
        message = turns[index]
        if message.id in kept:
            start = index
            continue
        cost = stored_message_tokens(counter, message)
        if used + cost > budget:
            break
        kept.add(message.id)
        used += cost
        start = index
    # A reply whose question fell out would read as the model talking to itself (unless pinned),
    # and a tool result whose call fell out answers nothing.
    while start < len(turns) and turns[start].role != Role.user and not turns[start].pinned:
        if turns[start].id in kept:
            kept.discard(turns[start].id)
            used -= stored_message_tokens(counter, turns[start])
        start += 1

    included = _answered([m for m in turns if m.id in kept])
    dropped = kept - {m.id for m in included}
    used -= sum(stored_message_tokens(counter, m) for m in turns if m.id in dropped)
    sent = [prompt_message(m) for m in [*included, question]]
    if attached.text:
        sent[-1]["content"] = "\n\n".join(part for part in (question.content, attached.text) if part)
    if images:
        sent[-1]["content"] = [{"type": "text", "text": sent[-1]["content"]}, *images]
    return Prompt(head + sent, used, [m.id for m in included], attached.sources)
