"""Images in answers: a model that can see gets the question's image, scaled, as an image part; one
that cannot is refused before anything runs, with a sentence."""

import base64
import io
from typing import Any

import httpx
from PIL import Image

from tests.stack.files.test_uploads import settled, uploaded
from tests.support.stack import new_conversation, unique, wait_for_message


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, format="PNG")
    return out.getvalue()


def test_a_model_that_sees_gets_the_image_scaled_as_an_image_part(
    client: httpx.Client, upstream: Any
) -> None:
    made = uploaded(client, "photo.png", png(2000, 1000))
    ready = settled(client, made["id"])
    assert (ready["status"], ready["content_type"], ready["width"], ready["height"]) == (
        "ready",
        "image/png",
        2000,
        1000,
    )
    conversation_id = new_conversation(client)["id"]  # `scripted` declares no capabilities: it has all
    question = unique("what colour is this")
    sent = client.post(
        f"/api/conversations/{conversation_id}/messages",
        json={"content": question, "attachments": [made["id"]]},
    )
    assert sent.status_code == 202, sent.text
    assert wait_for_message(client, sent.json()["assistant_message"]["id"])["status"] == "complete"
    requests: list[dict[str, Any]] = upstream.http.get("/_requests").json()
    [request] = [r for r in requests if r["match"].startswith(question)]
    text, image = request["messages"][-1]["content"]
    assert text == {"type": "text", "text": question}
    url = image["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    seen = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert seen.size == (1024, 512)


def test_a_model_that_cannot_see_is_refused_before_anything_runs(client: httpx.Client) -> None:
    made = uploaded(client, "photo.png", png(64, 64))
    settled(client, made["id"])
    conversation_id = new_conversation(client, model="scripted-alt")["id"]  # declares no capabilities
    sent = client.post(
        f"/api/conversations/{conversation_id}/messages",
        json={"content": "what is this?", "attachments": [made["id"]]},
    )
    assert sent.status_code == 422
    assert sent.json()["detail"] == (
        "attachments: The model scripted-alt cannot see images (photo.png): pick a model that can, "
        "or remove the image."
    )
    assert client.get(f"/api/conversations/{conversation_id}/messages").json() == []  # nothing stored
