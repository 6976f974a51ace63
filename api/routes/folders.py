"""Folders: a user's folders of conversations, made, listed, renamed and deleted."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api import folders
from api.accounts.auth import UserDep
from api.deps import DepsDep, SessionDep
from api.lookups import FolderDep
from api.routing import CheckedRoute
from api.schemas import FolderRead, FolderWrite

WITH_CONVERSATIONS = "Delete its conversations too (their answers stop); else they become unfiled"

router = APIRouter(route_class=CheckedRoute, prefix="/folders", tags=["folders"])


@router.get("")
async def list_folders(user: UserDep, session: SessionDep) -> list[FolderRead]:
    """The user's folders, A to Z. A conversation names its own (`folder_id`)."""
    return [FolderRead.model_validate(folder) for folder in await folders.list_folders(session, user.user_id)]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_folder(body: FolderWrite, user: UserDep, session: SessionDep, deps: DepsDep) -> FolderRead:
    """A new folder (at most 200 a user: 409 past that)."""
    folder = await folders.create_folder(session, deps.redis, user.user_id, body.name)
    return FolderRead.model_validate(folder)


@router.patch("/{folder_id}")
async def rename_folder(
    folder: FolderDep, body: FolderWrite, session: SessionDep, deps: DepsDep
) -> FolderRead:
    renamed = await folders.rename_folder(session, deps.redis, folder, body.name)
    return FolderRead.model_validate(renamed)


@router.delete("/{folder_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_folder(
    folder: FolderDep,
    session: SessionDep,
    deps: DepsDep,
    with_conversations: Annotated[bool, Query(description=WITH_CONVERSATIONS)] = False,
) -> Response:
    await folders.delete_folder(
        session, deps.log, deps.redis, deps.files, folder, with_conversations=with_conversations
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
