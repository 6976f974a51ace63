"""`relaychat up` as a person runs it: nothing configured, nothing running, no network."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from tests.support.processes import free_port, wait_until
from tests.support.sse import answer_text, read_stream
from tests.support.stack import Upstream, admin_key, new_conversation

pytestmark = pytest.mark.slow

CONFIGURED = (
    "REDIS_URL",
    "DATABASE_URL",
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
    "RELAYCHAT_MODEL",
    "RELAYCHAT_MODELS_FILE",
)


class Up:
    def __init__(self, cwd: Path, **env: str) -> None:
        self.port = free_port()
        self.output = cwd / "up.out"
        clean = {k: v for k, v in os.environ.items() if k not in CONFIGURED}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "up", "--port", str(self.port)],
            cwd=cwd,
            env={**clean, **env},
            stdout=self.output.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.client = httpx.Client(base_url=self.url, timeout=60)

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def wait_ready(self, first: bool = True) -> None:
        wait_until(lambda: "relaychat is ready" in self.text() or self.process.poll() is not None, 240, "up")
        assert "relaychat is ready" in self.text(), self.text()
        if first:  # a fresh machine: `up` says to create the admin account
            wait_until(lambda: "create the admin account" in self.text(), 10, "the sign-up hint")
        # The first account made through the API is the admin, as a person's first visit makes it.
        self.client.headers["Authorization"] = f"Bearer {admin_key(self.url)}"

    def children(self) -> list[int]:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                found.append(int(stat.parent.name))
        return found

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(60)


@pytest.fixture
def ups() -> Iterator[list[Up]]:
    started: list[Up] = []
    yield started
    for up in started:
        if up.process.poll() is None:
            up.terminate()


def call_a_tool_with_the_local_model(up: "Up") -> None:
    """The local model calls a tool through /v1: llama-cpp-python's `chatml-function-calling`
    format constrains it to the function's arguments, streamed back as tool calls."""
    key = up.client.headers["Authorization"].removeprefix("Bearer ")
    client = openai.OpenAI(base_url=f"{up.url}/v1", api_key=key, max_retries=0, timeout=120)
    models = {m.id: m for m in client.models.list().data}
    assert (models["smollm2-135m-instruct"].model_extra or {})["capabilities"]["tools"] is True
    weather: Any = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "The weather in a city now.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
    reply = client.chat.completions.create(
        model="smollm2-135m-instruct",
        messages=[{"role": "user", "content": "What is the weather in Paris?"}],
        tools=[weather],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )
    assert reply.choices[0].finish_reason == "tool_calls"
    [call] = reply.choices[0].message.tool_calls or []
    assert call.function.name == "get_weather"  # type: ignore[union-attr]
    assert isinstance(json.loads(call.function.arguments), dict)  # type: ignore[union-attr]


def test_up_runs_everything_offline_and_answers_with_the_local_model(tmp_path: Path, ups: list[Up]) -> None:
    up = Up(tmp_path)
    ups.append(up)
    up.wait_ready()
    for part in ("redis", "database", "model", "api", "worker 1"):
        assert f"ok  {part}" in up.text()

    models = up.client.get("/api/models").json()
    assert models["default"] == "smollm2-135m-instruct"
    conversation = new_conversation(up.client, title="Geography")
    pair = up.client.post(
        f"/api/conversations/{conversation['id']}/messages",
        json={"content": "What is the capital of France?"},
    ).json()
    read = read_stream(up.client, pair["assistant_message"]["id"], timeout=120)
    assert read.terminal is not None
    assert read.terminal.event == "done"
    answer = read.terminal.data
    assert answer["content"].strip()
    assert answer_text(read.events) == answer["content"]
    assert answer["prompt_tokens"] > 0
    assert answer["completion_tokens"] > 0
    assert answer["model"] == "smollm2-135m-instruct"
    assert up.client.get(f"/api/messages/{answer['id']}").json() == answer  # saved as streamed
    call_a_tool_with_the_local_model(up)

    children = up.children()
    assert len(children) == 4  # redis, model, api, worker
    assert up.terminate() == 0
    assert "relaychat stopped" in up.text()
    assert not any(Path(f"/proc/{pid}").exists() for pid in children)

    # A second start finds everything where it was: Redis AOF and SQLite live in ./data.
    again = Up(tmp_path)
    ups.append(again)
    again.wait_ready(first=False)
    assert "create the admin account" not in again.text()  # the admin exists: signing in is enough
    titles = [c["title"] for c in again.client.get("/api/conversations").json()["items"]]
    assert titles == ["Geography"]


def test_up_reports_a_dead_child_and_exits_nonzero(tmp_path: Path, ups: list[Up], upstream: Upstream) -> None:
    up = Up(tmp_path, OPENAI_BASE_URL=upstream.url, RELAYCHAT_MODEL="scripted")
    ups.append(up)
    up.wait_ready()
    assert "--  model     from OPENAI_BASE_URL" in up.text()
    worker = max(up.children())  # started last
    os.kill(worker, signal.SIGKILL)
    assert up.process.wait(30) == 1
    assert "worker 1 exited with code -9" in up.text()
    assert "relaychat worker ready" in up.text()  # its last log lines are shown
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in up.children()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert up.children() == []
