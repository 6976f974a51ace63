"""`GET /api/tools`: the tools a conversation's answers may use, from the registered MCP servers."""

from fastapi import APIRouter

from api.deps import SessionDep
from api.routing import CheckedRoute
from api.schemas import ToolRead
from core.db import read_only
from core.tools import available_tools

router = APIRouter(route_class=CheckedRoute, prefix="/tools", tags=["tools"])


@router.get("")
async def list_tools(session: SessionDep) -> list[ToolRead]:
    """Each as `{"name": "<server>.<tool>", "description", "input_schema"}`."""
    await read_only(session)
    return [
        ToolRead(name=t.name, description=t.description, input_schema=t.input_schema)
        for t in await available_tools(session)
    ]
