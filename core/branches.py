"""A conversation's messages as a tree: `parent_id` links each message to the one it follows.

Siblings (messages with the same parent) are alternative branches: a regenerated answer, or an
edited question. A branch is the path from a root down to a leaf; the conversation remembers the
leaf the user looks at. Pure functions, shared by the API (what to show, where a question goes)
and the worker (what the model sees).
"""

from collections.abc import Iterable, Mapping, Sequence

from core.models import Message


class Tree:
    """A conversation's messages, indexed by id and by parent; children oldest first."""

    def __init__(self, messages: Iterable[Message]) -> None:
        ordered = sorted(messages, key=lambda m: m.id)  # UUIDv7: oldest first
        self.by_id: Mapping[str, Message] = {m.id: m for m in ordered}
        self.children: dict[str | None, list[Message]] = {}
        for message in ordered:
            # A parent that is not in the conversation makes a root rather than an orphan.
            parent = message.parent_id if message.parent_id in self.by_id else None
            self.children.setdefault(parent, []).append(message)
        self.newest: Message | None = ordered[-1] if ordered else None

    def path_to(self, message_id: str | None) -> list[Message]:
        """The messages from the root down to `message_id`, inclusive; [] for an unknown id."""
        path: list[Message] = []
        current = self.by_id.get(message_id) if message_id else None
        while current is not None and len(path) <= len(self.by_id):  # the bound guards against a cycle
            path.append(current)
            current = self.by_id.get(current.parent_id) if current.parent_id else None
        path.reverse()
        return path

    def siblings(self, message: Message) -> Sequence[Message]:
        """The message and its alternatives, oldest first."""
        parent = message.parent_id if message.parent_id in self.by_id else None
        return self.children.get(parent, [message])

    def newest_leaf_under(self, message: Message) -> Message:
        """The newest message in `message`'s subtree: the end of the branch through it used last.

        A child is always newer than its parent, so the newest message of a subtree is a leaf.
        """
        newest = message
        stack = [message]
        while stack:
            node = stack.pop()
            newest = max(newest, node, key=lambda m: m.id)
            stack.extend(self.children.get(node.id, []))
        return newest

    def selected_leaf(self, leaf_id: str | None) -> Message | None:
        """The conversation's selected leaf, or its newest message when none is recorded."""
        selected = self.by_id.get(leaf_id) if leaf_id else None
        return selected or self.newest
