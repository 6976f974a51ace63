"""The message tree: branches as paths, siblings, and which leaf a switch lands on."""

from core.branches import Tree
from core.models import Message, Role


def message(role: Role, parent: Message | None, content: str = "") -> Message:
    # Made in order: UUIDv7 ids sort by creation, as in the database.
    return Message(conversation_id="c", role=role, parent_id=parent.id if parent else None, content=content)


def test_a_linear_conversation_is_one_branch_and_every_message_is_an_only_child() -> None:
    q1 = message(Role.user, None)
    a1 = message(Role.assistant, q1)
    q2 = message(Role.user, a1)
    a2 = message(Role.assistant, q2)
    tree = Tree([a2, q1, q2, a1])  # any order in, ordered by id

    assert tree.path_to(a2.id) == [q1, a1, q2, a2]
    assert tree.selected_leaf(None) == a2
    assert all(list(tree.siblings(m)) == [m] for m in (q1, a1, q2, a2))


def test_regenerated_answers_and_edited_questions_are_siblings_in_creation_order() -> None:
    q1 = message(Role.user, None)
    a1 = message(Role.assistant, q1)
    a1b = message(Role.assistant, q1)  # regenerated
    q1b = message(Role.user, None)  # the first question, edited
    a1c = message(Role.assistant, q1b)
    tree = Tree([q1, a1, a1b, q1b, a1c])

    assert list(tree.siblings(a1)) == [a1, a1b]
    assert list(tree.siblings(q1b)) == [q1, q1b]
    assert tree.path_to(a1b.id) == [q1, a1b]
    assert tree.path_to(a1c.id) == [q1b, a1c]


def test_switching_to_a_message_lands_on_the_newest_message_below_it() -> None:
    q1 = message(Role.user, None)
    a1 = message(Role.assistant, q1)
    q2 = message(Role.user, a1)
    a2 = message(Role.assistant, q2)
    a1b = message(Role.assistant, q1)
    a2b = message(Role.assistant, q2)  # regenerated later, on the first branch
    tree = Tree([q1, a1, q2, a2, a1b, a2b])

    assert tree.newest_leaf_under(a1) == a2b
    assert tree.newest_leaf_under(a1b) == a1b
    assert tree.newest_leaf_under(q1) == a2b
    assert tree.newest_leaf_under(a2) == a2


def test_an_unknown_or_missing_leaf_falls_back_to_the_newest_message() -> None:
    q1 = message(Role.user, None)
    a1 = message(Role.assistant, q1)
    tree = Tree([q1, a1])
    assert tree.selected_leaf("no-such-id") == a1
    assert tree.path_to("no-such-id") == []
    assert Tree([]).selected_leaf(None) is None


def test_a_parent_outside_the_conversation_makes_a_root() -> None:
    stray = Message(conversation_id="c", role=Role.user, parent_id="elsewhere")
    answer = message(Role.assistant, stray)
    tree = Tree([stray, answer])
    assert tree.path_to(answer.id) == [stray, answer]
    assert list(tree.siblings(stray)) == [stray]
