"""MCP servers an admin registers: a worker connects and lists their tools, over Streamable HTTP
and stdio, a third-party server from PyPI too; secrets are never shown; users pick tools for
their conversations, and another user's conversation is a 404 (shared stack)."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.accounts import new_user
from tests.support.processes import Process, free_port, python, wait_until
from tests.support.stack import Stack, unique


@pytest.fixture
def mcp_http(log_dir: Path) -> Iterator[str]:
    """The tests' MCP server over Streamable HTTP; its URL."""
    port = free_port()
    calls = str(log_dir / "mcp-calls.jsonl")
    args = python("-m", "tests.support.mcp_server", "--calls", calls, "--port", str(port))
    server = Process(f"mcp-http-{port}", args, dict(os.environ), log_dir)
    wait_until(lambda: _listening(port), 20, "the MCP server", server)
    yield f"http://127.0.0.1:{port}/mcp"
    server.stop()


def _listening(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/mcp", timeout=1)
    except httpx.TransportError:
        return False
    return True


def registered(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    """Register a server and wait for a worker to have listed its tools (or failed to)."""
    made = client.post("/api/admin/mcp-servers", json=body)
    assert made.status_code == 201, made.text
    server_id = made.json()["id"]

    def listed() -> dict[str, Any] | None:
        servers = {s["id"]: s for s in client.get("/api/admin/mcp-servers").json()}
        return servers[server_id] if servers[server_id]["status"] != "unknown" else None

    wait_until(lambda: listed() is not None, 30, "a worker listing the tools")
    server = listed()
    assert server is not None
    return server


def test_servers_over_http_and_stdio_list_their_tools_and_keep_their_secrets(
    stack: Stack, client: httpx.Client, mcp_http: str
) -> None:
    name = unique("web").lower().replace(" ", "-")[:30]
    http = registered(client, {"name": name, "url": mcp_http, "headers": {"Authorization": "Bearer hunter2"}})
    assert http["status"] == "ok", http
    assert [t["name"] for t in http["tools"]] == ["add", "slow", "fail", "record"]
    assert http["has_secrets"] is True
    listing = client.get("/api/admin/mcp-servers").text
    assert "hunter2" not in listing  # never shown again

    clock = unique("clock").lower().replace(" ", "-")[:30]
    time_server = registered(
        client, {"name": clock, "command": sys.executable, "args": ["-m", "mcp_server_time"]}
    )
    assert time_server["status"] == "ok", time_server
    assert {t["name"] for t in time_server["tools"]} == {"get_current_time", "convert_time"}

    tools = {t["name"]: t for t in client.get("/api/tools").json()}
    assert f"{name}.add" in tools
    assert tools[f"{clock}.get_current_time"]["input_schema"]["type"] == "object"

    down = registered(
        client, {"name": unique("down").lower().replace(" ", "-")[:30], "url": "http://127.0.0.1:9/mcp"}
    )
    assert down["status"] == "unreachable"
    assert down["status_detail"]


def test_a_conversation_picks_its_tools_and_anothers_settings_are_a_404(
    stack: Stack, client: httpx.Client, mcp_http: str
) -> None:
    name = unique("pick").lower().replace(" ", "-")[:30]
    registered(client, {"name": name, "url": mcp_http})
    conversation = client.post("/api/conversations", json={}).json()
    picked = client.patch(
        f"/api/conversations/{conversation['id']}", json={"tools": [f"{name}.add", f"{name}.add"]}
    )
    assert picked.status_code == 200, picked.text
    assert picked.json()["tools"] == [f"{name}.add"]
    unknown = client.patch(f"/api/conversations/{conversation['id']}", json={"tools": ["nowhere.tool"]})
    assert unknown.status_code == 422
    assert "nowhere.tool" in unknown.json()["detail"]
    other = new_user(client, label="tool-thief")
    stolen = other.client.patch(f"/api/conversations/{conversation['id']}", json={"tools": []})
    assert stolen.status_code == 404
    assert client.get(f"/api/conversations/{conversation['id']}").json()["tools"] == [f"{name}.add"]


def test_only_admins_register_servers_and_bad_registrations_are_refused(
    stack: Stack, client: httpx.Client
) -> None:
    user = new_user(client, label="not-admin")
    assert (
        user.client.post("/api/admin/mcp-servers", json={"name": "x", "url": "http://a/mcp"}).status_code
        == 403
    )
    assert user.client.get("/api/admin/mcp-servers").status_code == 403
    for body in (
        {"name": "both", "url": "http://a/mcp", "command": "x"},
        {"name": "neither"},
        {"name": "Bad Name", "url": "http://a/mcp"},
        {"name": "files", "url": "file:///etc/passwd"},
        {"name": "mixed", "url": "http://a/mcp", "env": {"A": "b"}},
    ):
        assert client.post("/api/admin/mcp-servers", json=body).status_code == 422, body
    name = unique("twice").lower().replace(" ", "-")[:30]
    assert (
        client.post(
            "/api/admin/mcp-servers", json={"name": name, "url": "http://127.0.0.1:9/mcp"}
        ).status_code
        == 201
    )
    again = client.post("/api/admin/mcp-servers", json={"name": name, "url": "http://127.0.0.1:9/mcp"})
    assert again.status_code == 409
    servers = {s["name"]: s["id"] for s in client.get("/api/admin/mcp-servers").json()}
    assert client.delete(f"/api/admin/mcp-servers/{servers[name]}").status_code == 204
    assert client.delete(f"/api/admin/mcp-servers/{servers[name]}").status_code == 404
