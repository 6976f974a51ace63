"""`RELAYCHAT_LOG_FORMAT=json`: every line of every process is one JSON object with its time, level,
logger, process and pid, and the request id, answer id and attempt where they apply; and no line
carries what a message says or a secret (a shared link's token among them), whichever way the
answer was asked for."""

import json
import uuid
from typing import Any

import httpx
import pytest

from tests.support.stack import ADMIN_PASSWORD, MakeStack, ask, new_conversation, wait_for_message

pytestmark = pytest.mark.slow

FIELDS = {"time", "level", "logger", "process", "pid", "message"}


def test_json_lines_with_ids_and_no_message_text_or_secret(make_stack: MakeStack) -> None:
    marker = uuid.uuid4().hex
    question, answer = f"question-{marker}", f"answer-{marker}"
    model_key = f"sk-model-{marker}"
    stack = make_stack(log_format="json")
    stack.env["OPENAI_API_KEY"] = model_key  # what the workers send the model server
    api = stack.start()
    stack.upstream.script(question, {"tokens": [f"{answer} ", "and more"]})
    stack.upstream.script(f"{question} via v1", {"tokens": [f"{answer} from v1"]})
    stack.upstream.script(f"{question} fails", {"status": 500})
    with api.client() as client:
        conversation = new_conversation(client)
        answer_id = ask(client, conversation["id"], question)["assistant_message"]["id"]
        assert wait_for_message(client, answer_id)["content"] == f"{answer} and more"
        failed = ask(client, new_conversation(client)["id"], f"{question} fails")["assistant_message"]["id"]
        assert wait_for_message(client, failed)["status"] == "failed"
        completion = client.post(
            "/v1/chat/completions",
            json={"model": "scripted", "messages": [{"role": "user", "content": f"{question} via v1"}]},
        )
        assert completion.status_code == 200, completion.text
        assert client.get("/api/search", params={"q": question}).status_code == 200
        # A shared link's token opens the conversation: viewing it, by the API or the page, logs it not.
        token = client.post(f"/api/conversations/{conversation['id']}/share").json()["token"]
        with httpx.Client(base_url=str(client.base_url)) as anonymous:
            assert anonymous.get(f"/api/shared/{token}").status_code == 200
            assert anonymous.get(f"/share/{token}").status_code == 200
    secrets = [question, answer, marker, model_key, ADMIN_PASSWORD, stack.key(), token]

    processes = [*stack.apis, *stack.workers]
    for process in processes:
        process.stop()
    lines = [(process.name, line) for process in processes for line in process.log_text().splitlines()]
    entries = []
    for name, line in lines:
        entry: dict[str, Any] = json.loads(line)  # every line is JSON
        assert set(entry) >= FIELDS, (name, line)
        assert entry["process"] == ("api" if name.startswith("api") else "worker")
        entries.append(entry)
        for secret in secrets:
            assert secret not in line, f"{name} logged what it must not: {line}"
    # The request id on a request's lines (the access log's), the answer's id and attempt on its job's.
    assert any(entry.get("request_id", "").startswith("req_") for entry in entries)
    answered = [entry for entry in entries if entry.get("answer_id") == answer_id]
    assert answered
    assert any(entry.get("attempt") == 1 for entry in answered)
    assert {entry["level"] for entry in entries} >= {"INFO"}
    # The log's own time: ISO 8601, UTC.
    assert all(entry["time"].endswith("Z") and "T" in entry["time"] for entry in entries)
