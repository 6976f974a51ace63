"""`GET /api/models`: the models a conversation may use, with their windows, prices and token limits."""

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import DepsDep
from api.routing import CheckedRoute
from core.catalog import answer_token_limit, budgets

router = APIRouter(route_class=CheckedRoute, tags=["models"])


class ModelRead(BaseModel):
    id: str
    label: str
    context_window: int
    input_price: float
    output_price: float
    local: bool
    capabilities: dict[str, bool]  # tools, structured_outputs, vision, reasoning
    default_max_tokens: int
    max_tokens_limit: int


class ModelList(BaseModel):
    models: list[ModelRead]
    default: str


@router.get("/models")
async def list_models(deps: DepsDep) -> ModelList:
    """The models a conversation can use (prices in US dollars per million tokens), with the
    answer's max tokens when a conversation sets none, and the most it may set."""
    models = [
        ModelRead(
            **{**spec.model_dump(exclude={"capabilities"}), "label": spec.label or spec.id},
            capabilities=spec.capability_flags(),
            default_max_tokens=budgets(spec, deps.settings.max_answer_tokens)[1],
            max_tokens_limit=answer_token_limit(spec),
        )
        for spec in deps.catalog.models
    ]
    return ModelList(models=models, default=deps.catalog.default)
