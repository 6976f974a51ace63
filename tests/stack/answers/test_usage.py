"""What each answer records beside its text: tokens, cost at the model's prices, and its speed."""

from datetime import datetime

import httpx
import pytest

from tests.support.processes import wait_until
from tests.support.stack import Upstream, ask, new_conversation, unique, wait_for_message

# The test deployment's models file prices every model at $1 (prompt) and $2 (completion) per million.
INPUT_PRICE, OUTPUT_PRICE = 1.0, 2.0


def test_an_answer_records_its_cost_and_speed(client: httpx.Client, upstream: Upstream) -> None:
    question = unique("cost and speed")
    tokens = [f"t{i} " for i in range(10)]
    upstream.script(question, {"tokens": tokens, "delay": 0.05})
    pair = ask(client, new_conversation(client, system_prompt="Be brief.")["id"], question)
    answer = wait_for_message(client, pair["assistant_message"]["id"])

    # The scripted server reports 10 + one per message sent (system prompt and question) as usage.
    assert (answer["prompt_tokens"], answer["completion_tokens"]) == (12, 10)
    assert answer["cost_usd"] == pytest.approx((12 * INPUT_PRICE + 10 * OUTPUT_PRICE) / 1_000_000)
    first, finished = (datetime.fromisoformat(answer[k]) for k in ("first_token_at", "finished_at"))
    generation = (finished - first).total_seconds()
    assert generation >= 9 * 0.05 * 0.9, "from the first token to the last, nine delays"
    assert answer["tokens_per_second"] == round(10 / generation, 1)
    assert client.get(f"/api/messages/{pair['user_message']['id']}").json()["cost_usd"] is None


def test_an_answer_refused_before_any_text_costs_nothing(client: httpx.Client, upstream: Upstream) -> None:
    question = unique("refused, free")
    upstream.script(question, {"status": 401})
    pair = ask(client, new_conversation(client)["id"], question)
    answer = wait_for_message(client, pair["assistant_message"]["id"])

    assert answer["status"] == "failed"
    assert answer["cost_usd"] == 0
    assert answer["first_token_at"] is None
    assert answer["finished_at"] is not None
    assert answer["tokens_per_second"] is None


def test_a_stopped_answer_is_charged_for_what_it_produced(client: httpx.Client, upstream: Upstream) -> None:
    question = unique("stopped, charged")
    upstream.script(question, {"tokens": [f"w{i} " for i in range(200)], "delay": 0.02, "usage": False})
    pair = ask(client, new_conversation(client)["id"], question)
    message_id = pair["assistant_message"]["id"]
    # Stopped once some text exists (a checkpoint saved it), not between the claim and the first token.
    wait_until(lambda: client.get(f"/api/messages/{message_id}").json()["content"] != "", 10, "some text")
    client.post(f"/api/messages/{message_id}/stop")
    answer = wait_for_message(client, message_id)

    assert answer["status"] == "stopped"
    assert answer["completion_tokens"] > 0
    expected = (answer["prompt_tokens"] * INPUT_PRICE + answer["completion_tokens"] * OUTPUT_PRICE) / 1e6
    assert answer["cost_usd"] == pytest.approx(expected)
