from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import CatalogDep

router = APIRouter(tags=["models"])


class ModelRead(BaseModel):
    id: str
    label: str
    context_window: int
    input_price: float
    output_price: float
    local: bool


class ModelList(BaseModel):
    models: list[ModelRead]
    default: str


@router.get("/models")
async def list_models(catalog: CatalogDep) -> ModelList:
    """The models a conversation can use (prices in US dollars per million tokens)."""
    models = [ModelRead(**{**spec.model_dump(), "label": spec.label or spec.id}) for spec in catalog.models]
    return ModelList(models=models, default=catalog.default)
