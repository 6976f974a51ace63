"""A response's `mcp` tools: each names a server an admin registered (`server_label`), and its
answer may use the tools the workers last listed of it, as `<server>.<tool>`. A client never
brings a server of its own: an unregistered label, or a `server_url` other than the registered
one, is refused, so tools are no way to reach other hosts."""

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.openai.responses_schemas import McpTool
from api.refusals import Invalid
from core.models import McpServer
from core.tools import SEPARATOR


@dataclass(frozen=True)
class McpPick:
    """What a request's `mcp` tools give its answer: the tools it may use (`<server>.<tool>`),
    and each server's tools as its `mcp_list_tools` output item lists them."""

    tools: list[str]
    listed: list[dict[str, Any]]


async def pick_mcp_tools(session: AsyncSession, tools: list[tuple[int, McpTool]]) -> McpPick:
    """The registered servers' tools that the request's `mcp` tools (with their places in
    `tools`) allow; Invalid for a server that is not registered, or lists no tools."""
    labels = {tool.server_label for _, tool in tools}
    if len(labels) < len(tools):
        raise Invalid("each mcp tool must name a server of its own", param="tools")
    found = await session.exec(select(McpServer).where(col(McpServer.name).in_(labels)))
    servers = {server.name: server for server in found}
    picked: list[str] = []
    listed: list[dict[str, Any]] = []
    for index, tool in tools:
        param = f"tools[{index}]"
        server = servers.get(tool.server_label)
        if server is None:
            raise Invalid(
                f"no MCP server is registered as `{tool.server_label}`", param=f"{param}.server_label"
            )
        if tool.server_url is not None and tool.server_url != server.url:
            raise Invalid(
                f"only registered MCP servers can be used, and `{tool.server_label}` is not at this URL",
                param=f"{param}.server_url",
            )
        allowed = tool.allowed()
        offered = [t for t in server.tools or () if allowed is None or t["name"] in allowed]
        if not offered:
            state = f" (its status: {server.status})" if server.status != "ok" else ""
            raise Invalid(f"the MCP server `{server.name}` has none of these tools{state}", param=param)
        picked += [f"{server.name}{SEPARATOR}{t['name']}" for t in offered]
        listed.append(
            {
                "server_label": server.name,
                "tools": [
                    {
                        "name": t["name"],
                        "description": t.get("description") or None,
                        "input_schema": t.get("input_schema") or {"type": "object"},
                    }
                    for t in offered
                ],
            }
        )
    return McpPick(picked, listed)
