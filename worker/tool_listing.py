"""The `list_mcp_tools` job: connect to a registered MCP server, list its tools, and keep them
with its status, which the admin's list and `GET /api/tools` show."""

import logging
from typing import Any

from core.db import one_statement
from core.models import McpServer, utcnow
from worker import mcp_client
from worker.deps import WorkerDeps

logger = logging.getLogger(__name__)


async def list_mcp_tools(deps: WorkerDeps, server_id: str) -> str:
    async with deps.sessionmaker() as session:
        server = await session.get(McpServer, server_id)
        if server is None:
            return "deleted"
        session.expunge(server)
    tools: list[dict[str, Any]] | None
    try:
        tools = await mcp_client.list_tools(server, deps.secrets)
        status, detail = "ok", None
    except Exception as error:  # the server's failure is its status, shown to the admin
        tools, status = server.tools, "unreachable"
        cause = error.exceptions[0] if isinstance(error, ExceptionGroup) else error
        detail = (str(cause) or type(cause).__name__)[:1000]
        logger.warning("MCP server %s: %s", server.name, detail)
    async with deps.sessionmaker() as session:
        await one_statement(session)
        stored = await session.get(McpServer, server_id)
        if stored is None:
            return "deleted"
        stored.tools, stored.status, stored.status_detail, stored.checked_at = tools, status, detail, utcnow()
        session.add(stored)
        await session.commit()
    return status
