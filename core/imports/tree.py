"""A foreign conversation's message tree made into a relaychat export: the messages relaychat
shows kept, the rest skipped with their children moved up to the nearest kept ancestor, in an
order where a parent always comes before its children (ids sort by creation), and the branch the
other app had selected selected here too.

Both foreign readers (core/imports/chatgpt.py, core/imports/openwebui.py) describe their messages
as `Node`s and leave the rest here, so a tree is checked (no missing parent, no cycle, within the
limit) and written the same way whichever app it came from.
"""

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from core.models import DEFAULT_TITLE, Role, Status, TitleSource
from core.text import problem_of
from core.titles import fallback_title
from core.transfer import ConversationExport, ImportRefused, error_sentence

MAX_CONTENT_CHARS = 1_000_000  # an exported message's, as relaychat's own export holds them
MAX_TITLE_CHARS = 200
MAX_SYSTEM_PROMPT_CHARS = 32_000
MAX_MODEL_CHARS = 200
# A time in seconds past this is in milliseconds (the year 5138 in seconds).
MILLISECONDS_FROM = 1e11


@dataclass(frozen=True, slots=True)
class Node:
    """One message of a foreign tree, as its reader found it. `keep` False: a message relaychat
    does not show (a system prompt, a tool's call or result, a hidden one, an empty one), skipped
    with its children moved up to its parent."""

    id: str
    parent: str | None
    role: Role | None
    text: str
    created: datetime | None
    model: str | None = None
    keep: bool = True


@dataclass(frozen=True, slots=True)
class Foreign:
    """A foreign conversation, before it is checked: what `build` makes an export from."""

    label: str  # how a refusal names it ("Conversation 3 (“Trip”)")
    title: str | None
    created: datetime | None
    updated: datetime | None
    nodes: Sequence[Node]
    selected: str | None  # the node the other app showed last (its branch's end)
    system_prompt: str = ""
    pinned: bool = False
    archived: bool = False


def moment(value: Any) -> datetime | None:
    """Epoch seconds (or milliseconds, for a value too large to be seconds) as UTC; None for
    anything else, or a time no calendar reaches."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    seconds = value / 1000 if value > MILLISECONDS_FROM else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _check_links(conversation: Foreign, by_id: Mapping[str, Node]) -> None:
    """Every parent in the tree, and no message its own ancestor."""
    settled: set[str] = set()
    for node in conversation.nodes:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = node.id
        while current is not None and current not in settled:
            if current in on_path:
                raise ImportRefused(f"{conversation.label} has a cycle in its messages' parent links.")
            on_path.add(current)
            path.append(current)
            parent = by_id[current].parent
            if parent is not None and parent not in by_id:
                raise ImportRefused(
                    f"{conversation.label} names a parent message that is not in it ({parent[:40]})."
                )
            current = parent
        settled.update(path)


def _kept_parents(conversation: Foreign, by_id: Mapping[str, Node]) -> dict[str, str | None]:
    """Each node's nearest kept ancestor (itself when kept), memoized: the tree has no cycle."""
    nearest: dict[str, str | None] = {}
    for node in conversation.nodes:
        path: list[str] = []
        current: str | None = node.id
        while current is not None and current not in nearest:
            if by_id[current].keep:
                nearest[current] = current
                break
            path.append(current)
            current = by_id[current].parent
        found = nearest.get(current) if current is not None else None
        for skipped in path:
            nearest[skipped] = found
    return nearest


def _merged(kept: list[Node], parent_of: dict[str, str | None]) -> tuple[list[Node], dict[str, str]]:
    """An answer that only continues its parent answer (the pieces of one reply around a tool's
    calls) joined with it: relaychat's answers follow questions. Returns the nodes left and, for
    each joined node, the node it finally went into.

    Walked from the roots, parents first, whatever the file's order: a piece is joined onto its
    parent's text as already joined, and into the node its parent went into, so a chain of pieces
    ends as one message and no child is left naming a node that was joined away."""
    children: dict[str | None, list[str]] = {}
    for node in kept:
        children.setdefault(parent_of[node.id], []).append(node.id)
    by_id = {node.id: node for node in kept}
    into: dict[str, str] = {}
    waiting = list(reversed(children.get(None, [])))
    while waiting:  # depth first, without recursion: a chain may be thousands of messages long
        node_id = waiting.pop()
        waiting.extend(reversed(children.get(node_id, [])))
        node = by_id[node_id]  # its own text: only a node nothing went into yet is visited
        parent = parent_of[node_id]
        if parent is None or node.role != Role.assistant or children[parent] != [node_id]:
            continue
        target = into.get(parent, parent)  # final: the parent was visited first
        joined = by_id[target]
        if joined.role != Role.assistant:
            continue
        text = "\n\n".join(part for part in (joined.text, node.text) if part)
        by_id[target] = Node(
            joined.id, joined.parent, joined.role, text, joined.created, joined.model or node.model
        )
        into[node_id] = target
    left = [by_id[node.id] for node in kept if node.id not in into]
    return left, into


def _ordered(nodes: list[Node], parent_of: Mapping[str, str | None], start: datetime) -> list[Node]:
    """Parents before children; among what may come next, the oldest first, then in the file's
    order (a message without a time takes its parent's)."""
    position = {node.id: index for index, node in enumerate(nodes)}
    children: dict[str | None, list[Node]] = {}
    for node in nodes:
        children.setdefault(parent_of[node.id], []).append(node)
    when: dict[str, datetime] = {}
    ready: list[tuple[datetime, int, str]] = []
    by_id = {node.id: node for node in nodes}

    def offer(node: Node, inherited: datetime) -> None:
        when[node.id] = node.created or inherited
        heapq.heappush(ready, (when[node.id], position[node.id], node.id))

    for root in children.get(None, []):
        offer(root, start)
    ordered = []
    while ready:
        _, _, node_id = heapq.heappop(ready)
        ordered.append(by_id[node_id])
        for child in children.get(node_id, []):
            offer(child, when[node_id])
    return ordered


def _title(conversation: Foreign, first_question: str | None) -> tuple[str, TitleSource]:
    title = " ".join((conversation.title or "").split())[:MAX_TITLE_CHARS]
    if title:
        return title, TitleSource.user  # the other app's title, kept as a name never replaced
    if first_question:
        return fallback_title(first_question), TitleSource.fallback
    return DEFAULT_TITLE, TitleSource.default


def check_count(label: str, count: int, max_messages: int) -> None:
    """A conversation's messages within the limit: checked by each reader before it makes anything of them."""
    if count > max_messages:
        raise ImportRefused(f"{label} has {count:,} messages; the limit is {max_messages:,}.", too_big=True)


def build(conversation: Foreign) -> ConversationExport:
    """The conversation as relaychat's export (version 2, no files), checked (its count already is,
    by `check_count`): no missing parent, no cycle, at least one message, each within its size, and
    what is kept of it text a database can store (what is not kept is not checked: a ChatGPT
    export is mostly metadata, and walking every string of it doubled the time a file took)."""
    count = len(conversation.nodes)
    by_id = {node.id: node for node in conversation.nodes}
    if len(by_id) < count:
        raise ImportRefused(f"{conversation.label} repeats a message id.")
    _check_links(conversation, by_id)
    nearest = _kept_parents(conversation, by_id)
    kept = [node for node in conversation.nodes if node.keep]
    if not kept:
        raise ImportRefused(f"{conversation.label} has no messages to import.")
    parent_of = {node.id: nearest.get(node.parent) if node.parent else None for node in kept}
    left, into = _merged(kept, parent_of)
    parent_of = {node.id: into.get(p, p) if (p := parent_of[node.id]) else None for node in left}
    times = [node.created for node in left if node.created]
    start = conversation.created or (min(times) if times else datetime.now(UTC))
    ordered = _ordered(left, parent_of, start)
    number = {node.id: f"m{index}" for index, node in enumerate(ordered, start=1)}
    messages = []
    moments: dict[str, datetime] = {}
    for index, node in enumerate(ordered, start=1):
        parent = parent_of[node.id]
        when = node.created or (moments[parent] if parent else start)
        moments[node.id] = when
        if problem := problem_of(node.text) or problem_of(node.model or ""):
            raise ImportRefused(f"{conversation.label}: message {index} holds {problem}.")
        if len(node.text) > MAX_CONTENT_CHARS:
            raise ImportRefused(
                f"{conversation.label}: message {index} is longer than {MAX_CONTENT_CHARS:,} characters."
            )
        answer = node.role == Role.assistant
        messages.append(
            {
                "id": number[node.id],
                "parent_id": number[parent] if parent else None,
                "role": node.role,
                "content": node.text,
                "status": Status.complete,
                "error": None,
                "error_code": None,
                "model": node.model[:MAX_MODEL_CHARS] if answer and node.model else None,
                "attempt": 1 if answer else 0,
                "prompt_tokens": None,
                "completion_tokens": None,
                "cost_usd": None,
                "first_token_at": None,
                "finished_at": when if answer else None,
                "finish_reason": None,
                "client_id": None,
                "created_at": when,
                "updated_at": when,
            }
        )
    selected = conversation.selected if conversation.selected in by_id else None
    leaf = nearest.get(selected) if selected else None
    leaf = into.get(leaf, leaf) if leaf else None
    if leaf is not None and leaf not in number:  # cannot happen: every kept node is placed
        raise ImportRefused(f"{conversation.label}: the message it had selected could not be placed.")
    first_question = next((node.text for node in ordered if node.role == Role.user and node.text), None)
    title, source = _title(conversation, first_question)
    if problem := problem_of(title) or problem_of(conversation.system_prompt):
        raise ImportRefused(f"{conversation.label}: its title or system prompt holds {problem}.")
    created = conversation.created or start
    updated = max(conversation.updated or created, created)
    document = {
        "conversation": {
            "id": "c1",
            "title": title,
            "title_source": source,
            "system_prompt": conversation.system_prompt[:MAX_SYSTEM_PROMPT_CHARS],
            "model": None,  # the other app's model is not one of this deployment's: its default answers
            "selected_leaf_id": number[leaf] if leaf else None,
            # The other app kept no time for these: its last activity stands in.
            "pinned_at": updated if conversation.pinned else None,
            "archived_at": updated if conversation.archived else None,
            "created_at": created,
            "updated_at": updated,
        },
        "messages": messages,
    }
    try:
        return ConversationExport.model_validate(document)
    except ValidationError as error:
        raise ImportRefused(f"{conversation.label} cannot be imported: {error_sentence(error)}.") from None
