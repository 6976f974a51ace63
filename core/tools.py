"""The tools answers may use: those of the MCP servers an admin registered, named
`<server>.<tool>`, as the workers last listed them."""

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import McpServer

SEPARATOR = "."


@dataclass(frozen=True, slots=True)
class Tool:
    name: str  # `<server>.<tool>`
    description: str
    input_schema: dict[str, Any]


def tools_of(server: McpServer) -> list[Tool]:
    return [
        Tool(
            f"{server.name}{SEPARATOR}{tool['name']}",
            tool.get("description", ""),
            tool.get("input_schema", {}),
        )
        for tool in server.tools or ()
    ]


async def available_tools(session: AsyncSession) -> list[Tool]:
    """Every registered server's tools, by server name: what a conversation may pick."""
    servers = await session.exec(select(McpServer).order_by(col(McpServer.name)))
    return [tool for server in servers for tool in tools_of(server)]
