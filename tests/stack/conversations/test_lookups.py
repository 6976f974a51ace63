"""Every route whose path names an object (a conversation, a message, a response, …) answers
404, with its sentence, for an unknown id (the lookups' fast checks are in tests/api/test_lookups.py)."""

import httpx

from tests.api.test_lookups import MISSING_ID, NOT_FOUND, path_id_operations


def test_every_route_with_a_path_id_answers_404_for_an_unknown_one(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    answers, expected = {}, {}
    for method, path, name, operation in path_id_operations(schema):
        # The lookup answers before the body is read: any body will do.
        body: dict[str, str] | None = {} if "requestBody" in operation else None
        response = client.request(method, path.replace(f"{{{name}}}", MISSING_ID), json=body)
        error = response.json()
        # The OpenAI-compatible routes answer in OpenAI's shape (api/openai/errors.py).
        sentence = error["error"]["message"] if path.startswith("/v1/") else error.get("detail")
        answers[f"{method} {path}"] = (response.status_code, sentence)
        expected[f"{method} {path}"] = (404, NOT_FOUND[name])
    assert len(answers) >= 16, answers
    assert answers == expected
