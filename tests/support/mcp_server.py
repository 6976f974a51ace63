"""An MCP server written with the `mcp` SDK, for the tool tests: over Streamable HTTP or stdio.

Run: `python -m tests.support.mcp_server --calls FILE [--port N]` (no port: stdio). Its tools:
`add` (two numbers), `slow` (sleeps, unless cancelled), `fail` (raises), `record` (appends its
note to the calls file). Every call, its start, its end and a cancellation are appended to the
calls file as JSON lines, so a test sees what the server saw.
"""

import argparse
import asyncio
import json
import time
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

server = MCPServer("relaychat-test-tools")
CALLS: Path | None = None


def _note(event: str, tool: str, **fields: object) -> None:
    if CALLS is not None:
        with CALLS.open("a") as calls:
            calls.write(json.dumps({"event": event, "tool": tool, "at": time.time(), **fields}) + "\n")


@server.tool()
def add(a: float, b: float) -> str:
    """Add two numbers."""
    _note("call", "add", a=a, b=b)
    return str(a + b)


@server.tool()
async def slow(seconds: float) -> str:
    """Wait for a number of seconds, then say so."""
    _note("call", "slow", seconds=seconds)
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        _note("cancelled", "slow")
        raise
    _note("done", "slow")
    return f"waited {seconds:g} s"


@server.tool()
def fail(reason: str) -> str:
    """Always fails, with the reason given."""
    _note("call", "fail", reason=reason)
    raise ToolError(reason)  # the SDK passes a ToolError's message on; any other it hides


@server.tool()
def record(note: str) -> str:
    """Record a note; says how many notes there are."""
    _note("call", "record", note=note)
    return f"recorded: {note}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=Path, required=True)
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    CALLS = args.calls
    if args.port:
        asyncio.run(server.run_streamable_http_async(port=args.port))
    else:
        server.run("stdio")
