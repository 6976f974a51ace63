"""MCP servers an admin registers: a worker connects and lists their tools, over Streamable HTTP
and stdio, a third-party server from PyPI too; secrets are never shown; users pick tools for
their conversations, and another user's conversation is a 404 (shared stack)."""

import sys

import httpx

from tests.stack.tools.conftest import McpHttp, registered
from tests.support.accounts import new_user
from tests.support.stack import Stack, unique


def test_servers_over_http_and_stdio_list_their_tools_and_keep_their_secrets(
    stack: Stack, client: httpx.Client, mcp_http: McpHttp
) -> None:
    name = unique("web").lower().replace(" ", "-")[:30]
    http = registered(
        client, {"name": name, "url": mcp_http.url, "headers": {"Authorization": "Bearer hunter2"}}
    )
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
    stack: Stack, client: httpx.Client, mcp_http: McpHttp
) -> None:
    name = unique("pick").lower().replace(" ", "-")[:30]
    registered(client, {"name": name, "url": mcp_http.url})
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
