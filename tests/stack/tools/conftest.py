"""The tool tests' MCP server over Streamable HTTP, and registering a server as an admin does."""

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.processes import Process, free_port, python, wait_until


@dataclass(frozen=True)
class McpSeen:
    """What the tests' MCP server saw, from its calls file."""

    calls_file: Path

    def seen(self, tool: str | None = None) -> list[dict[str, Any]]:
        """The server's notes (calls, ends, cancellations), of one tool or all."""
        if not self.calls_file.exists():
            return []
        notes = [json.loads(line) for line in self.calls_file.read_text().splitlines() if line]
        return [note for note in notes if tool is None or note["tool"] == tool]


@dataclass(frozen=True)
class McpHttp(McpSeen):
    """The tests' MCP server over Streamable HTTP, and its process (to kill and start again on the
    same port)."""

    url: str
    process: Process

    def start_again(self) -> None:
        self.process.restart()
        wait_until(lambda: _listening(self.url), 20, "the MCP server", self.process)


@pytest.fixture
def mcp_http(log_dir: Path) -> Iterator[McpHttp]:
    port = free_port()
    calls = log_dir / f"mcp-calls-{port}.jsonl"
    args = python("-m", "tests.support.mcp_server", "--calls", str(calls), "--port", str(port))
    server = Process(f"mcp-http-{port}", args, dict(os.environ), log_dir)
    url = f"http://127.0.0.1:{port}/mcp"
    wait_until(lambda: _listening(url), 20, "the MCP server", server)
    yield McpHttp(calls, url, server)
    server.stop()


def _listening(url: str) -> bool:
    try:
        httpx.get(url, timeout=1)
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
