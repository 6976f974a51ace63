"""Talking to an MCP server with the official SDK: a session over Streamable HTTP or stdio, its
tools listed, one of them called on a session the worker keeps open. A call's failures (the
server down, the tool's own error, its time limit) come back as a result marked as an error,
which the model reads: never a hung answer."""

import asyncio
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx2
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from core.models import McpServer, McpTransport
from core.secrets import SecretBox

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 10.0
# What a result may bring into a prompt: a tool that returns a whole web page is cut here.
MAX_OUTPUT_CHARS = 32_000
# A stdio server inherits only these of the worker's environment, then its own (sealed) values:
# the worker's credentials are not a tool's business.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH")


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What a call gave: its output (text), or why it failed; and how long it took."""

    output: str | None
    error: str | None
    duration_ms: int


@asynccontextmanager
async def session(server: McpServer, secrets: SecretBox) -> AsyncIterator[ClientSession]:
    """An initialized session with `server`, closed (its process stopped, its HTTP session ended)
    when the block ends."""
    if server.transport == McpTransport.http:
        assert server.url is not None  # a registered HTTP server has its URL
        timeout = httpx2.Timeout(CONNECT_TIMEOUT_SECONDS, read=None)
        async with (
            httpx2.AsyncClient(headers=secrets.open(server.sealed_headers), timeout=timeout) as http,
            streamable_http_client(server.url, http_client=http) as (read, write),
            ClientSession(read, write) as client,
        ):
            await client.initialize()
            yield client
        return
    assert server.command is not None  # a registered stdio server has its command
    env = {name: os.environ[name] for name in INHERITED if name in os.environ}
    params = StdioServerParameters(
        command=server.command, args=server.args or [], env=env | secrets.open(server.sealed_env)
    )
    # The server's stderr goes to the worker's: an operator reads both in one place.
    async with stdio_client(params) as (read, write), ClientSession(read, write) as client:
        await client.initialize()
        yield client


async def list_tools(server: McpServer, secrets: SecretBox) -> list[dict[str, Any]]:
    """The server's tools, as relaychat keeps them: name, description, input schema."""
    async with session(server, secrets) as client:
        listed = await client.list_tools()
    return [
        {"name": tool.name, "description": tool.description or "", "input_schema": tool.input_schema}
        for tool in listed.tools
    ]


def _text_of(content: list[Any], structured: Any) -> str:
    """A result's content as text: its text parts, else its structured content as JSON."""
    texts = [part.text for part in content if getattr(part, "type", None) == "text"]
    if texts:
        return "\n".join(texts)
    if structured is not None:
        return json.dumps(structured, ensure_ascii=False)
    kinds = sorted({str(getattr(part, "type", "unknown")) for part in content})
    if not kinds:
        return ""
    return f"(the tool returned {', '.join(kinds)} content, which relaychat does not read yet)"


class _Held:
    """One open session, entered and left by a task of its own (the SDK's contexts must be left in
    the task that entered them); calls from any task share it."""

    def __init__(self, server: McpServer, secrets: SecretBox) -> None:
        self.ready: asyncio.Future[ClientSession] = asyncio.get_running_loop().create_future()
        self._closing = asyncio.Event()
        self.task = asyncio.create_task(self._hold(server, secrets))

    async def _hold(self, server: McpServer, secrets: SecretBox) -> None:
        try:
            async with session(server, secrets) as client:
                self.ready.set_result(client)
                await self._closing.wait()
        except BaseException as error:
            if not self.ready.done():
                self.ready.set_exception(error)
            if not isinstance(error, Exception):
                raise

    async def close(self) -> None:
        self._closing.set()
        await asyncio.gather(self.task, return_exceptions=True)


class McpSessions:
    """The worker's sessions with the MCP servers, one kept open per server (a stdio server's
    process with it) and shared by every call: a call costs its round trip, not a connection and
    a handshake. A session whose call failed for want of the server is closed; the next call
    connects again."""

    def __init__(self, secrets: SecretBox) -> None:
        self._secrets = secrets
        self._held: dict[str, _Held] = {}

    async def _session(self, server: McpServer) -> ClientSession:
        held = self._held.get(server.id)
        if held is None or (held.ready.done() and held.ready.exception() is not None):
            held = self._held[server.id] = _Held(server, self._secrets)
        return await asyncio.shield(held.ready)

    async def _drop(self, server: McpServer) -> None:
        if (held := self._held.pop(server.id, None)) is not None:
            await held.close()

    async def call(
        self, server: McpServer, tool: str, arguments: dict[str, Any], time_limit: float
    ) -> ToolResult:
        """Call `tool` once, within `time_limit` seconds from connecting to the result. Cancelling
        this (a Stop, the time limit) cancels the call at the server: the SDK sends MCP's
        cancellation for it (stdio) or closes its request (HTTP)."""
        started = time.monotonic()

        def took() -> int:
            return round((time.monotonic() - started) * 1000)

        try:
            async with asyncio.timeout(time_limit):
                client = await self._session(server)
                result = await client.call_tool(tool, arguments)
        except TimeoutError as error:
            return ToolResult(None, _failure(server, tool, error, time_limit), took())
        except Exception as error:  # any failure is the model's to read, not the answer's end
            logger.info("tool %s.%s failed: %r", server.name, tool, error)
            await self._drop(server)  # the server went away, or the session broke: connect anew
            return ToolResult(None, _failure(server, tool, error, time_limit), took())
        text = _text_of(result.content, result.structured_content)[:MAX_OUTPUT_CHARS]
        if result.is_error:
            return ToolResult(None, text or "The tool reported an error.", took())
        return ToolResult(text, None, took())

    async def close(self) -> None:
        held, self._held = list(self._held.values()), {}
        await asyncio.gather(*(h.close() for h in held))


def _failure(server: McpServer, tool: str, error: BaseException, time_limit: float) -> str:
    """A sentence for the model (and the person reading the step) on why a call gave nothing."""
    if isinstance(error, TimeoutError):
        return f"The tool {tool} did not answer within {time_limit:g} s."
    if isinstance(error, ExceptionGroup):
        error = error.exceptions[0]
    detail = str(error) or type(error).__name__
    return f"The tool server {server.name} could not be used: {detail}"[:1000]
