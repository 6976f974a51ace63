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


class OpenAIModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[OpenAIModel]


@router.get("/models")
async def list_openai_models(deps: DepsDep) -> OpenAIModelList:
    """Every model a request may name, the default first."""
    ids = [
        deps.catalog.default,
        *(spec.id for spec in deps.catalog.models if spec.id != deps.catalog.default),
    ]
    return OpenAIModelList(data=[OpenAIModel(id=model_id) for model_id in ids])
