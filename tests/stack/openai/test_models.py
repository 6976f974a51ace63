"""The OpenAI-compatible surface through the official `openai` SDK: the model list, and errors in
OpenAI's shape raised as the SDK's own exception classes (shared stack)."""

import httpx
import openai
import pytest

from core.catalog import CAPABILITIES
from tests.support.stack import Stack


def sdk(stack: Stack, key: str | None = None) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{stack.api.url}/v1", api_key=key or stack.key(), max_retries=0)


def test_the_model_list_is_the_catalog_default_first(stack: Stack) -> None:
    models = sdk(stack).models.list()
    assert [model.id for model in models.data] == ["scripted", "scripted-alt"]
    assert all(model.object == "model" and model.owned_by == "relaychat" for model in models.data)
    # relaychat's own fields beside OpenAI's: what each model can do, and its window.
    extra = {model.id: (model.model_extra or {}) for model in models.data}
    assert extra["scripted"]["capabilities"] == dict.fromkeys(CAPABILITIES, True)  # none declared
    assert extra["scripted-alt"]["capabilities"] == dict.fromkeys(CAPABILITIES, False)
    assert extra["scripted-alt"]["context_window"] == 4096


def test_what_a_model_lacks_is_a_400_naming_the_parameter_and_the_model(stack: Stack) -> None:
    client = sdk(stack)
    chat = {"model": "scripted-alt", "messages": [{"role": "user", "content": "hi"}]}
    asks: list[tuple[str, str, dict[str, object]]] = [
        ("/chat/completions", "response_format", {**chat, "response_format": {"type": "json_object"}}),
        ("/chat/completions", "reasoning_effort", {**chat, "reasoning_effort": "low"}),
        (
            "/responses",
            "text.format",
            {"model": "scripted-alt", "input": "hi", "text": {"format": {"type": "json_object"}}},
        ),
        (
            "/responses",
            "reasoning.effort",
            {"model": "scripted-alt", "input": "hi", "reasoning": {"effort": "low"}},
        ),
    ]
    for path, param, body in asks:
        with pytest.raises(openai.BadRequestError) as refused:
            client.post(path, body=body, cast_to=httpx.Response)
        assert refused.value.param == param
        assert "scripted-alt" in refused.value.message


def test_a_bad_key_raises_the_sdks_authentication_error(stack: Stack) -> None:
    with pytest.raises(openai.AuthenticationError) as refused:
        sdk(stack, key="rc_key_not-a-key").models.list()
    assert refused.value.status_code == 401
    assert refused.value.code == "invalid_api_key"
    assert isinstance(refused.value.body, dict)
    assert refused.value.body["type"] == "invalid_request_error"


def test_an_unknown_v1_path_is_404_in_openais_shape_not_the_web_page(stack: Stack) -> None:
    response = httpx.get(f"{stack.api.url}/v1/nothing-here", headers=stack.headers)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Not found"
    assert response.json()["error"]["code"] == "not_found"
    # The app's own routes keep their `detail` bodies.
    app_route = httpx.get(f"{stack.api.url}/api/nothing-here", headers=stack.headers)
    assert app_route.json() == {"detail": "Not found"}
