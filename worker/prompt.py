from collections.abc import Sequence
from dataclasses import dataclass, field

from core.models import Message, Role, Status
from core.tokens import TokenCounter, message_tokens, required_tokens


class PromptTooLong(Exception):
    """The system prompt and the new message alone do not fit the model's context window."""

    def __init__(self, needed: int, budget: int) -> None:
        super().__init__(f"The message needs {needed} tokens but the model has room for {budget}.")
        self.needed = needed
        self.budget = budget


@dataclass
class Prompt:
    messages: list[dict[str, str]]
    tokens: int
    included_ids: list[str] = field(default_factory=list)


def history_turns(history: Sequence[Message]) -> list[Message]:
    """Earlier messages worth sending: user messages, and answers that produced text."""
    return [
        m
        for m in history
        if m.role == Role.user or (m.status in (Status.complete, Status.stopped) and m.content)
    ]


def build_prompt(
    system_prompt: str,
    history: Sequence[Message],
    question: Message,
    counter: TokenCounter,
    budget: int,
) -> Prompt:
    """The system prompt, then the newest earlier turns that fit `budget` tokens, then `question`.

    The system prompt and the question are never cut; older turns are dropped whole, oldest first,
    and the kept ones are contiguous, so the model never sees a conversation with holes in it.
    """
    head = [{"role": "system", "content": system_prompt}] if system_prompt else []
    used = required_tokens(counter, system_prompt, question.content)
    if used > budget:
        raise PromptTooLong(used, budget)

    kept: list[Message] = []
    for message in reversed(history_turns(history)):
        cost = message_tokens(counter, message.content)
        if used + cost > budget:
            break
        kept.append(message)
        used += cost
    kept.reverse()
    # A reply whose question fell out would read as the model talking to itself.
    while kept and kept[0].role == Role.assistant:
        used -= message_tokens(counter, kept.pop(0).content)

    turns = [{"role": str(m.role), "content": m.content} for m in [*kept, question]]
    return Prompt(head + turns, used, [m.id for m in kept])
