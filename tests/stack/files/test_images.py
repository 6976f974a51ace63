"""Images in answers: a model that can see gets the question's image, scaled, as an image part; one
that cannot is refused before anything runs, with a sentence. An image's thumbnail, made when a
worker read it, is served to its owner alone, cached, and goes with the file."""

import base64
import io
from typing import Any

import httpx
from PIL import Image

from tests.stack.files.test_uploads import NOTES, settled, uploaded
from tests.support.accounts import new_user
from tests.support.stack import new_conversation, unique, wait_for_message


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, format="PNG")
    return out.getvalue()


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).convert("RGB").save(out, format="JPEG")
    return out.getvalue()


def test_an_image_has_a_thumbnail_for_its_owner_alone_until_it_is_deleted(client: httpx.Client) -> None:
    made = uploaded(client, "wide.png", png(1000, 500))
    assert settled(client, made["id"])["status"] == "ready"
    url = f"/api/files/{made['id']}/thumbnail"
    shown = client.get(url)
    assert shown.status_code == 200, shown.text
    assert shown.headers["content-type"] == "image/png"
    assert shown.headers["cache-control"] == "private, max-age=86400"
    with Image.open(io.BytesIO(shown.content)) as small:
        assert (small.format, small.size) == ("PNG", (256, 128))
    tag = shown.headers["etag"]
    again = client.get(url, headers={"If-None-Match": tag})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == tag

    other = new_user(client, label="thumbnails")
    refused = other.client.get(url)
    assert (refused.status_code, refused.json()["detail"]) == (404, "File not found")
    other.client.close()

    assert client.delete(f"/api/files/{made['id']}").status_code == 204
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 404  # no 304 for a deleted file


def test_a_jpeg_gets_a_jpeg_thumbnail_and_a_document_none(client: httpx.Client) -> None:
    photo = uploaded(client, "photo.jpg", jpeg(600, 900))
    notes = uploaded(client, "notes.md", NOTES.encode())
    assert settled(client, photo["id"])["status"] == "ready"
    assert settled(client, notes["id"])["status"] == "ready"
    shown = client.get(f"/api/files/{photo['id']}/thumbnail")
    assert shown.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(shown.content)) as small:
        assert (small.format, max(small.size)) == ("JPEG", 256)
    none = client.get(f"/api/files/{notes['id']}/thumbnail")
    assert (none.status_code, none.json()["detail"]) == (404, "This file has no thumbnail.")


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
