"""A long document's parts chosen by meaning too, with an embedding model set (the scripted
server's `/v1/embeddings`: texts that share no word are near when its synonyms say so): a question
in other words than its page's still gets that page; the vectors' tokens count in the owner's
usage; an embedding server that fails leaves the words to choose, and the file is still read."""

from typing import Any

from core.files.retrieval import question_words
from tests.stack.files.test_ingestion import MARKER
from tests.stack.files.test_uploads import settled, uploaded
from tests.support.documents import pdf_of_pages, prose
from tests.support.stack import MakeStack, Stack, Upstream, new_conversation, unique, wait_for_message

# The marker's words, said otherwise: no word of the question is in the document.
SYNONYMS = {
    "beacon": "lighthouse",
    "warden": "keeper",
    "concealed": "hid",
    "bronze": "brass",
    "opener": "key",
}
QUESTION = "where has the beacon warden concealed the bronze opener"


def embedding_stack(make_stack: MakeStack, upstream: Upstream) -> Stack:
    upstream.http.post("/_synonyms", json=SYNONYMS).raise_for_status()
    stack = make_stack(embedding_model="scripted-embeddings", embedding_base_url=upstream.url)
    stack.start(workers=1)
    stack.upstream.script("*", {"tokens": ["Under ", "a ", "stair."]})
    return stack


def ask_about(stack: Stack, question: str) -> tuple[dict[str, Any], str]:
    """Upload the 60-page manual, ask about it; the answer, and the question as the model got it."""
    with stack.client() as client:
        made = uploaded(client, "manual.pdf", pdf_of_pages(60, {40: MARKER}))
        assert settled(client, made["id"])["status"] == "ready"
        conversation_id = new_conversation(client)["id"]
        sent = client.post(
            f"/api/conversations/{conversation_id}/messages",
            json={"content": question, "attachments": [made["id"]]},
        )
        assert sent.status_code == 202, sent.text
        answer = wait_for_message(client, sent.json()["assistant_message"]["id"])
    everything: list[dict[str, Any]] = stack.upstream.http.get("/_requests").json()
    [request] = [r for r in everything if r["match"].startswith(question)]
    return answer, request["messages"][-1]["content"]


def test_a_question_in_other_words_gets_the_page_that_means_it(
    make_stack: MakeStack, upstream: Upstream
) -> None:
    document_words = set(question_words(MARKER + " " + " ".join(prose(seed) for seed in range(610))))
    assert not set(question_words(QUESTION)) & document_words  # the words alone would find nothing
    stack = embedding_stack(make_stack, upstream)
    question = unique(QUESTION)
    answer, asked = ask_about(stack, question)
    assert answer["status"] == "complete", answer
    [source] = answer["sources"]
    assert 40 in source["pages"], source
    assert MARKER in asked
    assert "[page 40]" in asked
    embedded = upstream.requests("_embeddings")
    assert [question] in [r["inputs"] for r in embedded]  # the question's own vector
    assert any(MARKER in " ".join(r["inputs"]) for r in embedded)  # the chunks', as the file was read
    with stack.client() as client:
        usage = client.get("/api/usage").json()
    assert "scripted-embeddings" in {row["model"] for row in usage["by_day"]}, usage


def test_an_embedding_server_that_fails_leaves_the_words_to_choose(
    make_stack: MakeStack, upstream: Upstream
) -> None:
    stack = embedding_stack(make_stack, upstream)
    # Reading the file fails to get vectors; later calls (other tests') succeed.
    upstream.script("_embeddings", {"status": 500}, {})
    question = unique("where did the lighthouse keeper hide the brass key")
    answer, asked = ask_about(stack, question)
    assert answer["status"] == "complete", answer
    assert 40 in answer["sources"][0]["pages"]
    assert MARKER in asked
    # No vectors were stored, so the question's was never asked for.
    assert question not in [text for r in upstream.requests("_embeddings") for text in r["inputs"]]
