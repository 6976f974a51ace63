"""A conversation's sampling (temperature, top_p, seed) and max tokens: the model's defaults and
limits in GET /api/models, checked against the conversation's model, and in the model's request."""

import httpx

from tests.support.stack import Upstream, ask, new_conversation, unique, wait_for_message


def _models(client: httpx.Client) -> dict[str, dict[str, object]]:
    return {model["id"]: model for model in client.get("/api/models").json()["models"]}


def test_models_list_their_sampling_defaults_and_limits(client: httpx.Client) -> None:
    models = _models(client)
    assert models["scripted"]["temperature"] == {"default": 1.0, "min": 0.0, "max": 2.0}
    assert models["scripted"]["top_p"] == {"default": 1.0, "min": 0.0, "max": 1.0}
    assert models["scripted"]["seed"] == {"supported": True, "max": 2**31 - 1}
    assert models["scripted-alt"]["temperature"] == {"default": 0.7, "min": 0.0, "max": 1.0}
    assert models["scripted-alt"]["seed"] == {"supported": False, "max": 2**31 - 1}


def test_the_model_receives_the_conversations_sampling_and_max_tokens(
    client: httpx.Client, upstream: Upstream
) -> None:
    settings = {"temperature": 0.3, "top_p": 0.9, "seed": 42, "max_tokens": 200}
    conversation = new_conversation(client, **settings)
    assert {name: conversation[name] for name in settings} == settings
    question = unique("sampled")
    wait_for_message(client, ask(client, conversation["id"], question)["assistant_message"]["id"])
    (request,) = upstream.requests(question)
    assert request["sampling"] == {"temperature": 0.3, "top_p": 0.9, "seed": 42}
    assert request["max_tokens"] == 200

    # Changed, then back to the model's defaults (null): the next answers follow, nothing is sent.
    changed = client.patch(
        f"/api/conversations/{conversation['id']}", json={"temperature": 1.5, "seed": None}
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["temperature"], changed.json()["seed"]) == (1.5, None)
    second = unique("resampled")
    wait_for_message(client, ask(client, conversation["id"], second)["assistant_message"]["id"])
    assert upstream.requests(second)[0]["sampling"] == {"temperature": 1.5, "top_p": 0.9}
    reset = {"temperature": None, "top_p": None, "max_tokens": None}
    assert client.patch(f"/api/conversations/{conversation['id']}", json=reset).status_code == 200
    third = unique("defaults")
    wait_for_message(client, ask(client, conversation["id"], third)["assistant_message"]["id"])
    assert upstream.requests(third)[0]["sampling"] == {}
    assert upstream.requests(third)[0]["max_tokens"] == _models(client)["scripted"]["default_max_tokens"]


def test_a_regenerated_answer_samples_as_the_conversation_says_now(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client, temperature=0.2)
    question = unique("again")
    first = ask(client, conversation["id"], question)["assistant_message"]["id"]
    wait_for_message(client, first)
    client.patch(f"/api/conversations/{conversation['id']}", json={"temperature": 0.8})
    again = client.post(f"/api/messages/{first}/regenerate", json={})
    assert again.status_code == 202, again.text
    wait_for_message(client, again.json()["assistant_message"]["id"])
    assert [r["sampling"] for r in upstream.requests(question)] == [
        {"temperature": 0.2},
        {"temperature": 0.8},
    ]


def test_sampling_outside_the_models_limits_is_422_with_a_sentence(client: httpx.Client) -> None:
    refused = client.post("/api/conversations", json={"model": "scripted-alt", "temperature": 1.5})
    assert refused.status_code == 422
    assert refused.json()["detail"] == "Temperature must be between 0 and 1 for scripted-alt"
    # Past every model's bounds: refused by the body's schema before the model is looked at.
    assert client.post("/api/conversations", json={"temperature": 2.5}).status_code == 422
    assert client.post("/api/conversations", json={"top_p": -0.1}).status_code == 422
    assert client.post("/api/conversations", json={"seed": 2**31}).status_code == 422

    conversation = new_conversation(client, temperature=1.5)  # fine for `scripted`
    path = f"/api/conversations/{conversation['id']}"
    # A model whose limits the settings exceed is refused, and nothing changes.
    switched = client.patch(path, json={"model": "scripted-alt"})
    assert switched.status_code == 422
    assert "between 0 and 1" in switched.json()["detail"]
    assert client.get(path).json()["model"] is None
    assert client.patch(path, json={"model": "scripted-alt", "temperature": 0.5}).status_code == 200
    assert client.get(path).json()["temperature"] == 0.5


def test_a_seed_for_a_model_without_one_is_422(client: httpx.Client) -> None:
    refused = client.post("/api/conversations", json={"model": "scripted-alt", "seed": 7})
    assert refused.status_code == 422
    assert refused.json()["detail"] == "scripted-alt does not take a seed: leave it empty"
    conversation = new_conversation(client, seed=7)
    switched = client.patch(f"/api/conversations/{conversation['id']}", json={"model": "scripted-alt"})
    assert switched.status_code == 422
    assert "does not take a seed" in switched.json()["detail"]
    cleared = client.patch(
        f"/api/conversations/{conversation['id']}", json={"model": "scripted-alt", "seed": None}
    )
    assert cleared.status_code == 200, cleared.text
