"""A conversation as Markdown for people to read: the current line of messages, oldest first."""

from datetime import UTC, datetime

from core.models import Conversation, Message, Role, Status


def current_line(messages: list[Message]) -> list[Message]:
    """The newest message and its ancestors, oldest first: the history as it reads now.

    Every message is on it while conversations have no branches; with branches, the others stay
    out (the JSON export keeps them all).
    """
    if not messages:
        return []
    by_id = {message.id: message for message in messages}
    line: list[Message] = []
    current: Message | None = max(messages, key=lambda message: message.id)
    while current is not None and len(line) < len(messages):
        line.append(current)
        current = by_id.get(current.parent_id) if current.parent_id else None
    return line[::-1]


def _when(moment: datetime) -> str:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _usage(message: Message) -> str:
    parts = [message.model] if message.model else []
    if message.prompt_tokens is not None and message.completion_tokens is not None:
        parts.append(f"{message.prompt_tokens:,} + {message.completion_tokens:,} tokens")
    if message.cost_usd:
        parts.append(f"${message.cost_usd:.6f}".rstrip("0").rstrip("."))
    return " · ".join(parts)


def _heading(message: Message) -> str:
    if message.role == Role.user:
        return "## You"
    if message.role == Role.tool:
        return f"## Tool result (`{message.tool_call_id}`)"
    usage = _usage(message)
    return "## Assistant" + (f" ({usage})" if usage else "")


def _ending(message: Message) -> str | None:
    if message.status == Status.stopped:
        return "*Stopped before the end.*"
    if message.status == Status.failed:
        return f"*Failed: {message.error or 'the answer failed.'}*"
    if message.status in (Status.queued, Status.streaming):
        return "*Still being written when exported.*"
    return None


def conversation_markdown(conversation: Conversation, messages: list[Message]) -> str:
    lines = [f"# {conversation.title}", ""]
    facts = [f"Created {_when(conversation.created_at)}"]
    if conversation.model:
        facts.append(f"model {conversation.model}")
    lines += [f"*{' · '.join(facts)}*", ""]
    if conversation.system_prompt.strip():
        lines += ["**System prompt**", "", _quote(conversation.system_prompt), ""]
    for message in current_line(messages):
        lines += ["---", "", _heading(message), ""]
        if message.reasoning:
            lines += ["**Thinking**", "", _quote(message.reasoning), ""]
        for step in message.tool_steps or ():
            ended = f"failed: {step['error']}" if step.get("error") else (step.get("output") or "")
            lines += [
                f"**Used `{step['name']}`**",
                "",
                "```json",
                step["arguments"],
                "```",
                "",
                _quote(ended),
                "",
            ]
        if message.content.strip() or not message.tool_calls:
            lines += [message.content.rstrip() or "*(empty)*", ""]
        for call in message.tool_calls or ():
            function = call["function"]
            lines += [
                f"**Called `{function['name']}`** (`{call['id']}`)",
                "",
                "```json",
                function["arguments"],
                "```",
                "",
            ]
        if ending := _ending(message):
            lines += [ending, ""]
    return "\n".join(lines).rstrip() + "\n"
