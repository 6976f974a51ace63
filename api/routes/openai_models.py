"""`GET /v1/models`: the catalog, in the shape of OpenAI's model list."""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import DepsDep
from api.routing import CheckedRoute

router = APIRouter(route_class=CheckedRoute, prefix="/v1", tags=["openai"])


class OpenAIModel(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "relaychat"
    # Fields of relaychat's own beside OpenAI's, which clients that do not know them skip.
    context_window: int
    capabilities: dict[str, bool]  # tools, structured_outputs, vision, reasoning


class OpenAIModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[OpenAIModel]


@router.get("/models")
async def list_openai_models(deps: DepsDep) -> OpenAIModelList:
    """Every model a request may name, the default first."""
    catalog = deps.catalog
    specs = [catalog.get(None), *(spec for spec in catalog.models if spec.id != catalog.default)]
    return OpenAIModelList(
        data=[
            OpenAIModel(id=spec.id, context_window=spec.context_window, capabilities=spec.capability_flags())
            for spec in specs
        ]
    )
