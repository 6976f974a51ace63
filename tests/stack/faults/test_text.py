"""Strings that are not text (a NUL, a lone surrogate) and bodies nested too deeply get a 4xx with a
sentence everywhere, never a 5xx: api/routing.py checks every request, core/text.py says what text is."""

import json
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.stack.faults.test_schema import ENDLESS, operations
from tests.support.stack import MakeStack, Stack

pytestmark = pytest.mark.faults

SURROGATE, NUL = "\ud800", "\x00"
HUGE = "x" * 1_000_000


def post(client: httpx.Client, path: str, body: Any) -> httpx.Response:
    # json.dumps escapes a lone surrogate as \ud800, as a client's JSON encoder would.
    return client.post(path, content=json.dumps(body), headers={"content-type": "application/json"})


@pytest.mark.parametrize("bad", [SURROGATE, NUL], ids=["surrogate", "nul"])
def test_what_is_not_text_is_refused_in_every_field_the_finding_named(stack: Stack, bad: str) -> None:
    with stack.client() as client:
        conversation = client.post("/api/conversations", json={"title": "fine"}).json()["id"]
        app_refusals = {
            "content": post(client, f"/api/conversations/{conversation}/messages", {"content": f"a{bad}b"}),
            "title": post(client, "/api/conversations", {"title": f"a{bad}"}),
            "system_prompt": post(client, "/api/conversations", {"system_prompt": bad}),
            "name": client.patch(
                "/api/auth/me",
                content=json.dumps({"name": bad, "current_password": "irrelevant"}),
                headers={"content-type": "application/json"},
            ),
        }
        for field, response in app_refusals.items():
            assert response.status_code == 422, (field, response.text)
            assert response.json()["detail"].startswith(f"{field}: holds "), response.text
        v1 = {
            "instructions": {"model": "scripted", "input": "hi", "instructions": f"be {bad}"},
            "metadata.tag": {"model": "scripted", "input": "hi", "metadata": {"tag": bad}},
            "input[0].content[0].text": {
                "model": "scripted",
                "input": [{"role": "user", "content": [{"type": "input_text", "text": bad}]}],
            },
        }
        for param, body in v1.items():
            refused = post(client, "/v1/responses", body)
            assert refused.status_code == 400, (param, refused.text)
            assert refused.json()["error"]["param"] == param
        assert client.get(f"/api/conversations/{conversation}/messages").json() == []  # nothing stored


def test_responses_content_of_another_shape_is_a_400(stack: Stack) -> None:
    with stack.client() as client:
        for content in ({"text": "an object"}, ["a", "list", "of strings"], 42):
            body = {"model": "scripted", "input": [{"role": "user", "content": content}]}
            refused = post(client, "/v1/responses", body)
            assert refused.status_code == 400, refused.text
            assert refused.json()["error"]["param"] == "input[0].content"


def test_a_million_characters_of_instructions_are_refused(stack: Stack) -> None:
    with stack.client() as client:
        body = {"model": "scripted", "input": "hi", "instructions": "word " * 200_000}
        refused = post(client, "/v1/responses", body)
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["param"] == "instructions"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_bodies_nested_too_deeply_are_refused(stack: Stack) -> None:
    with stack.client() as client:
        conversation = client.post("/api/conversations", json={}).json()["id"]
        deep = '{"content": ' + nested(50_000) + "}"
        refused = client.post(
            f"/api/conversations/{conversation}/messages",
            content=deep,
            headers={"content-type": "application/json"},
        )
        assert refused.status_code == 422, refused.text
        imported = client.post(
            "/api/conversations/import",
            content='{"format": "relaychat.conversation", "messages": ' + nested(50_000) + "}",
            headers={"content-type": "application/json"},
        )
        assert imported.status_code == 422, imported.text
        assert "nested too deeply" in imported.json()["detail"]
        openai = client.post(
            "/v1/chat/completions", content=nested(50_000), headers={"content-type": "application/json"}
        )
        assert openai.status_code == 400, openai.text


def with_one_bad_string(value: Any, bad: str) -> list[Any]:
    """Copies of the value, each with one of its strings (or keys) ending in `bad`, the rest kept."""
    if isinstance(value, str):
        return [value + bad]
    copies: list[Any] = []
    if isinstance(value, dict):
        for key, item in value.items():
            copies.append({**value, key + bad: item} if key not in ("model",) else {**value})
            copies += [{**value, key: changed} for changed in with_one_bad_string(item, bad)]
    elif isinstance(value, list):
        for index, item in enumerate(value):
            copies += [
                [*value[:index], changed, *value[index + 1 :]] for changed in with_one_bad_string(item, bad)
            ]
    return [copy for copy in copies if copy != value]


@pytest.fixture(scope="module")
def text_stack(make_stack_module: MakeStack) -> Stack:
    stack = make_stack_module()
    stack.start()
    return stack


def test_no_route_takes_what_is_not_text_in_its_body(text_stack: Stack) -> None:
    """Every operation with a JSON body, the app's and /v1's: a body the schema allows, with one of
    its strings at a time (values and keys) ending in a lone surrogate, then a NUL, is refused with
    a 4xx; one ending in a million characters is never a 5xx."""
    checked = []
    headers = {**text_stack.headers, "content-type": "application/json"}
    with httpx.Client(base_url=text_stack.api.url, headers=headers, timeout=30) as client:
        for operation in operations(text_stack):
            if operation.path in ENDLESS or not operation.body:
                continue

            @settings(max_examples=3, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy())
            def check(case: schemathesis.Case[Any]) -> None:
                for bad in (SURROGATE, NUL):
                    for body in with_one_bad_string(case.body, bad)[:12]:
                        response = client.request(case.method, case.formatted_path, content=json.dumps(body))
                        assert 400 <= response.status_code < 500, (
                            case.method,
                            case.formatted_path,
                            response.text,
                        )
                for body in with_one_bad_string(case.body, HUGE)[:4]:  # too long is a 4xx, or fine
                    response = client.request(case.method, case.formatted_path, content=json.dumps(body))
                    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])

            check()
            checked.append(operation.label)
    assert len(checked) >= 15, checked
