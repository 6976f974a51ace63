"""The admin's MCP servers (`/api/admin/mcp-servers`): register one, list them with their status
and tools, refresh what a worker knows of one, delete one.

The API never talks to a server itself: the workers do (a stdio server runs on the worker hosts),
so registering and refreshing ask a worker to connect and list the tools (a `list_mcp_tools` job),
whose result the list shows. Headers and env are sealed (core/secrets.py) and never returned.
"""

from fastapi import APIRouter, HTTPException, Response, status
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from api.deps import DepsDep, SessionDep
from api.routing import CheckedRoute
from api.schemas import McpServerCreate, McpServerRead, ToolRead
from core.jobs import enqueue_tool_listing
from core.models import McpServer, McpTransport
from core.secrets import NoSecretsKey, SecretBox

router = APIRouter(route_class=CheckedRoute, prefix="/admin/mcp-servers", tags=["admin"])

NOT_FOUND = "No MCP server has this id"


def _read(server: McpServer) -> McpServerRead:
    return McpServerRead(
        id=server.id,
        name=server.name,
        transport=server.transport,
        url=server.url,
        command=server.command,
        args=server.args,
        has_secrets=bool(server.sealed_headers or server.sealed_env),
        idempotent_tools=server.idempotent_tools,
        status=server.status,
        status_detail=server.status_detail,
        checked_at=server.checked_at,
        tools=[ToolRead.model_validate(tool) for tool in server.tools or ()],
    )


@router.post("", status_code=status.HTTP_201_CREATED)
async def register_server(body: McpServerCreate, session: SessionDep, deps: DepsDep) -> McpServerRead:
    """Register a server; a worker connects to it and lists its tools (its status says how that went)."""
    box = SecretBox(deps.settings.secrets_key)
    try:
        sealed_headers, sealed_env = box.seal(body.headers or {}), box.seal(body.env or {})
    except NoSecretsKey as missing:
        raise HTTPException(status.HTTP_409_CONFLICT, str(missing)) from None
    server = McpServer(
        name=body.name,
        transport=McpTransport.http if body.url else McpTransport.stdio,
        url=body.url,
        command=body.command,
        args=body.args,
        sealed_headers=sealed_headers,
        sealed_env=sealed_env,
        idempotent_tools=body.idempotent_tools,
    )
    session.add(server)
    try:
        await session.commit()
    except IntegrityError:
        raise HTTPException(status.HTTP_409_CONFLICT, f"An MCP server is named {body.name} already") from None
    await enqueue_tool_listing(deps.redis, server.id)
    return _read(server)


@router.get("")
async def list_servers(session: SessionDep) -> list[McpServerRead]:
    servers = await session.exec(select(McpServer).order_by(col(McpServer.name)))
    return [_read(server) for server in servers]


async def _server(session: SessionDep, server_id: str) -> McpServer:
    server = await session.get(McpServer, server_id)
    if server is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return server


@router.post("/{server_id}/refresh", status_code=status.HTTP_202_ACCEPTED)
async def refresh_server(server_id: str, session: SessionDep, deps: DepsDep) -> McpServerRead:
    """Ask a worker to connect again and list the tools; the list says `unknown` until it has."""
    server = await _server(session, server_id)
    server.status, server.status_detail = "unknown", None
    session.add(server)
    await session.commit()
    await enqueue_tool_listing(deps.redis, server.id)
    return _read(server)


@router.delete("/{server_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_server(server_id: str, session: SessionDep) -> Response:
    """Its tools are no longer offered; conversations that picked them keep the names, unused."""
    await session.delete(await _server(session, server_id))
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
