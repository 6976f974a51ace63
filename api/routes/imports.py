"""A large import's progress, while a worker writes its conversations (`POST
/api/conversations/import` answers 202 with its id)."""

from fastapi import APIRouter

from api.importing import ImportRead
from api.lookups import ImportDep
from api.routing import CheckedRoute

router = APIRouter(route_class=CheckedRoute, tags=["conversations"])


@router.get("/imports/{import_id}")
async def read_import(progress: ImportDep) -> ImportRead:
    """How far the import is: `running` (`done` of `total` conversations written), `done`, or
    `failed` with its sentence; kept a day. Another user's import is a 404."""
    return ImportRead.of(progress)
