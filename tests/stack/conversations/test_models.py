import httpx

from tests.support.stack import MODELS, new_conversation


def test_models_lists_the_catalog_with_its_default(client: httpx.Client) -> None:
    body = client.get("/api/models").json()
    assert body["default"] == "scripted"
    assert {m["id"]: m["context_window"] for m in body["models"]} == MODELS
    assert all(m["input_price"] == 1.0 and m["output_price"] == 2.0 for m in body["models"])
    capabilities = {m["id"]: m["capabilities"] for m in body["models"]}
    assert capabilities["scripted"]["structured_outputs"]  # none declared: present
    assert not any(capabilities["scripted-alt"].values())  # declared: none


def test_a_conversation_with_an_unknown_model_is_422(client: httpx.Client) -> None:
    response = client.post("/api/conversations", json={"model": "gpt-17"})
    assert response.status_code == 422
    assert "gpt-17" in response.json()["detail"]
    assert "scripted-alt" in response.json()["detail"]


def test_switching_to_an_unknown_model_is_422_and_changes_nothing(client: httpx.Client) -> None:
    conversation = new_conversation(client, model="scripted-alt")
    response = client.patch(f"/api/conversations/{conversation['id']}", json={"model": "gpt-17"})
    assert response.status_code == 422
    assert client.get(f"/api/conversations/{conversation['id']}").json()["model"] == "scripted-alt"
