"""`GET /api/models`: the models a conversation may use, with their windows, prices, token limits
and sampling's defaults and limits."""

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import DepsDep
from api.routing import CheckedRoute
from core.catalog import ModelSpec, answer_token_limit, budgets
from core.sampling import SEED_MAX

router = APIRouter(route_class=CheckedRoute, tags=["models"])
SAMPLING_FIELDS = {
    "default_temperature",
    "temperature_range",
    "default_top_p",
    "top_p_range",
    "supports_seed",
}


class SamplingRange(BaseModel):
    """A sampling setting: the model's own value when a conversation sets none, and the limits."""

    default: float
    min: float
    max: float


class SeedRange(BaseModel):
    supported: bool
    max: int


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
    temperature: SamplingRange
    top_p: SamplingRange
    seed: SeedRange


def _sampling(spec: ModelSpec) -> dict[str, SamplingRange | SeedRange]:
    return {
        "temperature": SamplingRange(
            default=spec.default_temperature, min=spec.temperature_range[0], max=spec.temperature_range[1]
        ),
        "top_p": SamplingRange(default=spec.default_top_p, min=spec.top_p_range[0], max=spec.top_p_range[1]),
        "seed": SeedRange(supported=spec.supports_seed, max=SEED_MAX),
    }


class ModelList(BaseModel):
    models: list[ModelRead]
    default: str


@router.get("/models")
async def list_models(deps: DepsDep) -> ModelList:
    """The models a conversation can use (prices in US dollars per million tokens), with the
    answer's max tokens when a conversation sets none, and the most it may set; the same for its
    temperature and top_p, and whether it takes a seed."""
    models = [
        ModelRead(
            **{**spec.model_dump(exclude={"capabilities", *SAMPLING_FIELDS}), "label": spec.label or spec.id},
            **_sampling(spec),
            capabilities=spec.capability_flags(),
            default_max_tokens=budgets(spec, deps.settings.max_answer_tokens)[1],
            max_tokens_limit=answer_token_limit(spec),
        )
        for spec in deps.catalog.models
    ]
    return ModelList(models=models, default=deps.catalog.default)
