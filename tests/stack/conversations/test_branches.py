"""Regenerate and edit as branches: siblings, the selected branch, switching, and what the model sees."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.support.stack import Stack, Upstream, ask, new_conversation, unique, wait_for_message

MISSING_ID = "00000000-0000-7000-8000-000000000000"


def branch_of(client: httpx.Client, conversation_id: str) -> dict[str, Any]:
    response = client.get(f"/api/conversations/{conversation_id}/branch")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def ids(messages: list[dict[str, Any]]) -> list[str]:
    return [m["id"] for m in messages]


def regenerate(client: httpx.Client, message_id: str, **fields: Any) -> httpx.Response:
    return client.post(f"/api/messages/{message_id}/regenerate", json=fields)


def edit(client: httpx.Client, message_id: str, content: str, **fields: Any) -> httpx.Response:
    return client.post(f"/api/messages/{message_id}/edit", json={"content": content, **fields})


def select(client: httpx.Client, conversation_id: str, message_id: str) -> httpx.Response:
    return client.patch(f"/api/conversations/{conversation_id}/branch", json={"message_id": message_id})


def answered(client: httpx.Client, conversation_id: str, question: str, **fields: Any) -> dict[str, Any]:
    """Ask, and wait for the answer to finish; the pair with the final answer."""
    pair = ask(client, conversation_id, question, **fields)
    pair["assistant_message"] = wait_for_message(client, pair["assistant_message"]["id"])
    return pair


def pair_ids(result: dict[str, Any]) -> tuple[str, str]:
    return result["user_message"]["id"], result["assistant_message"]["id"]


def sent_contents(upstream: Upstream, question: str) -> list[list[str]]:
    """What each request for `question` sent the model, as message texts."""
    return [[m["content"] for m in r["messages"]] for r in upstream.requests(question)]


# Regenerate


def test_regenerate_adds_an_answer_beside_the_old_one_which_stays_as_it_was(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client)
    question = unique("regenerate")
    upstream.script(question, {"tokens": ["first", " take"]}, {"tokens": ["second", " take"]})
    pair = answered(client, conversation["id"], question)
    old = pair["assistant_message"]

    response = regenerate(client, old["id"])
    assert response.status_code == 202, response.text
    result = response.json()
    assert result["user_message"]["id"] == pair["user_message"]["id"]
    new = result["assistant_message"]
    assert new["id"] != old["id"]
    assert new["parent_id"] == pair["user_message"]["id"]
    assert new["status"] == "queued"
    assert wait_for_message(client, new["id"])["content"] == "second take"

    assert client.get(f"/api/messages/{old['id']}").json() == old
    branch = branch_of(client, conversation["id"])
    assert branch["leaf_id"] == new["id"]
    assert ids(branch["messages"]) == [pair["user_message"]["id"], new["id"]]
    assert branch["messages"][1]["sibling_ids"] == [old["id"], new["id"]]
    assert branch["messages"][0]["sibling_ids"] == [pair["user_message"]["id"]]
    listed = client.get(f"/api/conversations/{conversation['id']}/messages").json()
    assert ids(listed) == [pair["user_message"]["id"], old["id"], new["id"]]
    # The same prompt both times: the old answer is not part of the new one's history.
    assert sent_contents(upstream, question) == [[question], [question]]


def test_regenerate_while_an_answer_runs_is_409_and_adds_nothing(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client)
    first, slow = unique("done before"), unique("slow one")
    upstream.script(slow, {"tokens": ["a", "b", "c", "d", "e"], "delay": 0.2})
    done = answered(client, conversation["id"], first)
    running = ask(client, conversation["id"], slow)

    for target in (done["assistant_message"]["id"], running["assistant_message"]["id"]):
        response = regenerate(client, target, client_id=f"while-running-{target}")
        assert response.status_code == 409
        assert "still being generated" in response.json()["detail"]
    wait_for_message(client, running["assistant_message"]["id"])
    assert len(client.get(f"/api/conversations/{conversation['id']}/messages").json()) == 4
    assert len(upstream.requests(first)) == 1


def test_regenerate_with_a_repeated_client_id_makes_one_answer_and_asks_the_model_once(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client)
    question = unique("regenerate retried")
    upstream.script(question, {"tokens": ["one"]}, {"tokens": ["two"], "delay": 0.05})
    old = answered(client, conversation["id"], question)["assistant_message"]

    first = regenerate(client, old["id"], client_id="regen-1")
    again = regenerate(client, old["id"], client_id="regen-1")
    assert first.status_code == again.status_code == 202
    assert pair_ids(again.json()) == pair_ids(first.json())
    final = wait_for_message(client, first.json()["assistant_message"]["id"])
    later = regenerate(client, old["id"], client_id="regen-1").json()
    assert later["assistant_message"] == final

    assert len(upstream.requests(question)) == 2
    assert len(client.get(f"/api/conversations/{conversation['id']}/messages").json()) == 3


def test_regenerate_of_a_question_is_409_and_of_an_unknown_message_404(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client)
    pair = answered(client, conversation["id"], unique("not an answer"))
    response = regenerate(client, pair["user_message"]["id"])
    assert response.status_code == 409
    assert response.json()["detail"] == "Only an answer can be regenerated"
    assert regenerate(client, MISSING_ID).status_code == 404


def test_regenerate_uses_the_model_the_conversation_has_now(client: httpx.Client, upstream: Upstream) -> None:
    conversation = new_conversation(client)
    question = unique("other model")
    old = answered(client, conversation["id"], question)["assistant_message"]
    client.patch(
        f"/api/conversations/{conversation['id']}", json={"model": "scripted-alt"}
    ).raise_for_status()
    new = regenerate(client, old["id"]).json()["assistant_message"]
    assert new["model"] == "scripted-alt"
    wait_for_message(client, new["id"])
    assert [r["model"] for r in upstream.requests(question)] == ["scripted", "scripted-alt"]


# Edit


def test_editing_a_question_starts_a_branch_and_the_model_sees_that_branch_only(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client)
    q1, q2, q2_edited = unique("first question"), unique("second question"), unique("second, edited")
    upstream.script(q1, {"tokens": ["answer one"]})
    upstream.script(q2, {"tokens": ["answer two"]})
    upstream.script(q2_edited, {"tokens": ["answer two, edited"]})
    one = answered(client, conversation["id"], q1)
    two = answered(client, conversation["id"], q2)

    response = edit(client, two["user_message"]["id"], q2_edited)
    assert response.status_code == 202, response.text
    edited = response.json()
    assert edited["user_message"]["content"] == q2_edited
    assert edited["user_message"]["parent_id"] == one["assistant_message"]["id"]
    assert edited["assistant_message"]["parent_id"] == edited["user_message"]["id"]
    wait_for_message(client, edited["assistant_message"]["id"])

    assert sent_contents(upstream, q2_edited) == [[q1, "answer one", q2_edited]]
    branch = branch_of(client, conversation["id"])
    assert ids(branch["messages"]) == [
        one["user_message"]["id"],
        one["assistant_message"]["id"],
        edited["user_message"]["id"],
        edited["assistant_message"]["id"],
    ]
    assert branch["messages"][2]["sibling_ids"] == [two["user_message"]["id"], edited["user_message"]["id"]]
    assert branch["messages"][3]["sibling_ids"] == [edited["assistant_message"]["id"]]
    # The old question and its answer are still there, unchanged.
    assert client.get(f"/api/messages/{two['assistant_message']['id']}").json() == two["assistant_message"]


def test_editing_the_first_question_makes_a_new_root_with_no_history(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client, system_prompt="Be brief.")
    q1, q2, q1_edited = unique("root"), unique("follow-up"), unique("root, edited")
    one = answered(client, conversation["id"], q1)
    answered(client, conversation["id"], q2)

    edited = edit(client, one["user_message"]["id"], q1_edited).json()
    assert edited["user_message"]["parent_id"] is None
    wait_for_message(client, edited["assistant_message"]["id"])
    assert sent_contents(upstream, q1_edited) == [["Be brief.", q1_edited]]
    branch = branch_of(client, conversation["id"])
    assert branch["messages"][0]["sibling_ids"] == [one["user_message"]["id"], edited["user_message"]["id"]]
    assert len(branch["messages"]) == 2


def test_edit_with_a_repeated_client_id_makes_one_branch(client: httpx.Client, upstream: Upstream) -> None:
    conversation = new_conversation(client)
    question, edited_text = unique("edit retried"), unique("edit retried, new")
    old = answered(client, conversation["id"], question)
    first = edit(client, old["user_message"]["id"], edited_text, client_id="edit-1")
    again = edit(client, old["user_message"]["id"], edited_text, client_id="edit-1")
    assert first.status_code == again.status_code == 202
    assert pair_ids(again.json()) == pair_ids(first.json())
    wait_for_message(client, first.json()["assistant_message"]["id"])
    assert len(upstream.requests(edited_text)) == 1
    assert len(client.get(f"/api/conversations/{conversation['id']}/messages").json()) == 4


def test_edit_refuses_answers_empty_text_and_running_answers(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client)
    slow = unique("edit while slow")
    upstream.script(slow, {"tokens": ["a", "b", "c", "d"], "delay": 0.2})
    done = answered(client, conversation["id"], unique("edit refusals"))

    response = edit(client, done["assistant_message"]["id"], "new text")
    assert (response.status_code, response.json()["detail"]) == (409, "Only a question can be edited")
    response = edit(client, done["user_message"]["id"], "   ")
    assert (response.status_code, response.json()["detail"]) == (422, "Message is empty")
    running = ask(client, conversation["id"], slow)
    response = edit(client, done["user_message"]["id"], "while another answer runs")
    assert response.status_code == 409
    wait_for_message(client, running["assistant_message"]["id"])
    assert len(client.get(f"/api/conversations/{conversation['id']}/messages").json()) == 4


# Switching branches


def test_switching_branches_persists_and_the_next_question_continues_the_shown_branch(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client)
    q1, q2 = unique("switch root"), unique("switch follow-up")
    upstream.script(q1, {"tokens": ["take A"]}, {"tokens": ["take B"]})
    one = answered(client, conversation["id"], q1)
    take_a = one["assistant_message"]
    take_b = wait_for_message(client, regenerate(client, take_a["id"]).json()["assistant_message"]["id"])
    before = client.get(f"/api/conversations/{conversation['id']}").json()

    response = select(client, conversation["id"], take_a["id"])
    assert response.status_code == 200, response.text
    assert response.json()["leaf_id"] == take_a["id"]
    assert ids(response.json()["messages"]) == [one["user_message"]["id"], take_a["id"]]
    assert response.json()["messages"][1]["sibling_ids"] == [take_a["id"], take_b["id"]]
    # Persisted for a reload or another tab; not activity, so the sidebar order stays.
    assert branch_of(client, conversation["id"]) == response.json()
    after = client.get(f"/api/conversations/{conversation['id']}").json()
    assert after["selected_leaf_id"] == take_a["id"]
    assert after["updated_at"] == before["updated_at"]

    two = answered(client, conversation["id"], q2)
    assert two["user_message"]["parent_id"] == take_a["id"]
    assert sent_contents(upstream, q2) == [[q1, "take A", q2]]

    # Back to take B: the newest message below it is itself.
    assert select(client, conversation["id"], take_b["id"]).json()["leaf_id"] == take_b["id"]
    # Selecting the question lands on the newest end below it: the follow-up's answer.
    assert (
        select(client, conversation["id"], one["user_message"]["id"]).json()["leaf_id"]
        == (two["assistant_message"]["id"])
    )


def test_selecting_a_message_of_another_conversation_is_404(client: httpx.Client) -> None:
    mine, other = new_conversation(client), new_conversation(client)
    theirs = answered(client, other["id"], unique("elsewhere"))
    response = select(client, mine["id"], theirs["assistant_message"]["id"])
    assert response.status_code == 404
    assert response.json()["detail"] == "Message not found in this conversation"
    assert select(client, MISSING_ID, theirs["assistant_message"]["id"]).status_code == 404


def test_a_question_with_parent_id_goes_after_that_answer(client: httpx.Client, upstream: Upstream) -> None:
    conversation = new_conversation(client)
    q1, q2, q3 = unique("parent one"), unique("parent two"), unique("parent three")
    one = answered(client, conversation["id"], q1)
    answered(client, conversation["id"], q2)

    three = answered(client, conversation["id"], q3, parent_id=one["assistant_message"]["id"])
    assert three["user_message"]["parent_id"] == one["assistant_message"]["id"]
    assert sent_contents(upstream, q3) == [[q1, _echo(q1), q3]]
    assert branch_of(client, conversation["id"])["leaf_id"] == three["assistant_message"]["id"]


def _echo(question: str) -> str:
    """The scripted model's echo of an unscripted first question (no system prompt)."""
    return f"Echo (1 messages, system=''): {question} "


def test_parent_id_must_be_an_answer_of_this_conversation(client: httpx.Client) -> None:
    conversation, other = new_conversation(client), new_conversation(client)
    one = answered(client, conversation["id"], unique("parent checks"))
    theirs = answered(client, other["id"], unique("parent elsewhere"))
    url = f"/api/conversations/{conversation['id']}/messages"
    cases = {
        one["user_message"]["id"]: "A new question must follow an answer",
        theirs["assistant_message"]["id"]: "parent_id is not a message of this conversation",
        MISSING_ID: "parent_id is not a message of this conversation",
    }
    for parent_id, detail in cases.items():
        response = client.post(url, json={"content": "where does this go?", "parent_id": parent_id})
        assert (response.status_code, response.json()["detail"]) == (422, detail)
    assert len(client.get(f"/api/conversations/{conversation['id']}/messages").json()) == 2


def test_branch_of_an_empty_conversation_is_empty_and_of_an_unknown_one_404(client: httpx.Client) -> None:
    conversation = new_conversation(client)
    assert branch_of(client, conversation["id"]) == {
        "conversation_id": conversation["id"],
        "leaf_id": None,
        "messages": [],
        "has_older": False,
        "totals": {"prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0, "cost_complete": True},
    }
    assert client.get(f"/api/conversations/{MISSING_ID}/branch").status_code == 404


def test_concurrent_regenerates_of_one_answer_make_at_most_one_new_answer(
    stack: Stack, upstream: Upstream
) -> None:
    with stack.client() as client:
        conversation = new_conversation(client)
        question = unique("regenerate race")
        # Slow from the second answer on, so the winner is still running when the others arrive.
        upstream.script(question, {"tokens": ["fast"]}, {"tokens": ["s", "l", "o", "w"], "delay": 0.3})
        old = answered(client, conversation["id"], question)["assistant_message"]

    def attempt(index: int) -> int:
        with stack.client() as own:
            return regenerate(own, old["id"], client_id=f"race-{index}").status_code

    with ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(attempt, range(4)))
    assert codes == [202, 409, 409, 409]
    with stack.client() as client:
        branch = branch_of(client, conversation["id"])
        wait_for_message(client, branch["leaf_id"])
        assert len(branch["messages"][1]["sibling_ids"]) == 2


# Pages


def test_the_branch_pages_back_from_its_newest_messages(client: httpx.Client, upstream: Upstream) -> None:
    conversation = new_conversation(client)
    for turn in range(5):
        question = unique(f"page {turn}")
        upstream.script(question, {"tokens": [f"answer {turn}"]})
        answered(client, conversation["id"], question)
    url = f"/api/conversations/{conversation['id']}/branch"
    whole = client.get(url, params={"limit": 1000}).json()
    assert len(whole["messages"]) == 10
    assert not whole["has_older"]

    pages: list[list[str]] = []
    params: dict[str, Any] = {"limit": 4}
    while True:
        page = client.get(url, params=params).json()
        assert page["leaf_id"] == whole["leaf_id"]
        assert (page["totals"] is None) == ("before" in params)  # summed once, with the newest page
        pages.insert(0, ids(page["messages"]))
        if not page["has_older"]:
            break
        params["before"] = page["messages"][0]["id"]
    assert [len(p) for p in pages] == [2, 4, 4]
    assert [i for p in pages for i in p] == ids(whole["messages"])


def test_a_page_before_a_message_of_another_conversation_is_404(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation, other = new_conversation(client), new_conversation(client)
    theirs = answered(client, other["id"], unique("elsewhere"))
    response = client.get(
        f"/api/conversations/{conversation['id']}/branch",
        params={"before": theirs["assistant_message"]["id"]},
    )
    assert (response.status_code, response.json()["detail"]) == (
        404,
        "Message not found in this conversation",
    )


def test_totals_count_every_answer_of_the_conversation_in_all_its_branches(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client)
    question = unique("totals")
    upstream.script(question, {"tokens": ["one"]}, {"tokens": ["two", " three"]})
    first = answered(client, conversation["id"], question)
    second = regenerate(client, first["assistant_message"]["id"]).json()["assistant_message"]
    answers = [first["assistant_message"], wait_for_message(client, second["id"])]
    totals = branch_of(client, conversation["id"])["totals"]
    assert totals["completion_tokens"] == sum(a["completion_tokens"] for a in answers) > 0
    assert totals["prompt_tokens"] == sum(a["prompt_tokens"] for a in answers) > 0
    assert totals["cost_usd"] == sum(a["cost_usd"] for a in answers)
    assert totals["cost_complete"] is True
