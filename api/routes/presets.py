"""Prompt presets: the user's saved prompts, inserted by typing `/command` in the composer, and
those an admin shares with everyone (read-only for the others)."""

from fastapi import APIRouter, Response, status

from api.accounts.auth import UserDep
from api.deps import DepsDep, SessionDep
from api.lookups import PresetDep
from api.preset_schemas import PresetCreate, PresetRead, PresetUpdate
from api.presets import add_preset, change_preset, visible_presets
from api.routing import CheckedRoute
from core.models import PromptPreset
from core.updates import publish_presets_change

router = APIRouter(route_class=CheckedRoute, prefix="/presets", tags=["presets"])


def _read(preset: PromptPreset, user_id: str) -> PresetRead:
    return PresetRead.model_validate({**preset.model_dump(), "mine": preset.owner_id == user_id})


@router.get("")
async def list_presets(user: UserDep, session: SessionDep) -> list[PresetRead]:
    """The user's presets by command, then those others share with everyone."""
    own, shared = await visible_presets(session, user.user_id)
    return [_read(preset, user.user_id) for preset in own + shared]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_preset(body: PresetCreate, user: UserDep, session: SessionDep, deps: DepsDep) -> PresetRead:
    """409 for a command the user already has, or past the most an account may keep; 403 for
    `shared` from someone not an admin. The user's other tabs hear of it, as of a change or a delete."""
    preset = await add_preset(session, user, body.model_dump())
    await publish_presets_change(deps.redis, user.user_id)
    return _read(preset, user.user_id)


@router.patch("/{preset_id}")
async def update_preset(
    preset: PresetDep, body: PresetUpdate, user: UserDep, session: SessionDep, deps: DepsDep
) -> PresetRead:
    changes = body.model_dump(exclude_unset=True)
    changed = await change_preset(session, user, preset, changes)
    await publish_presets_change(deps.redis, user.user_id)
    return _read(changed, user.user_id)


@router.delete("/{preset_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_preset(preset: PresetDep, session: SessionDep, deps: DepsDep) -> Response:
    owner_id = preset.owner_id
    await session.delete(preset)
    await session.commit()
    await publish_presets_change(deps.redis, owner_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
