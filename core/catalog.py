"""The models a conversation can use, and where each one is served."""

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.settings import Settings

OPENAI_MODELS = Path(__file__).parent / "openai_models.toml"
LOCAL_MODEL_ID = "smollm2-135m-instruct"
LOCAL_CONTEXT_WINDOW = 8192
LOCAL_CHAT_FORMAT = "chatml-function-calling"


Capability = Literal["tools", "structured_outputs", "vision", "reasoning"]
CAPABILITIES: tuple[Capability, ...] = ("tools", "structured_outputs", "vision", "reasoning")


class ModelSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(description="The name the model server knows it by; what conversations store")
    label: str = ""
    base_url: str | None = Field(None, description="None: OpenAI's API")
    api_key_env: str | None = Field("OPENAI_API_KEY", description="The variable that holds its key")
    context_window: int = Field(8192, gt=0)
    input_price: float = Field(0.0, ge=0, description="US dollars per million prompt tokens")
    output_price: float = Field(0.0, ge=0, description="US dollars per million completion tokens")
    local: bool = False
    capabilities: frozenset[Capability] | None = Field(
        None,
        description="What the model can do beyond text; None: not declared, so every one counts as "
        "present and the model server's own error is relayed",
    )
    # Sampling: what the model server uses when a conversation sets nothing (shown, never sent),
    # and the range a conversation's own setting must keep to. A model that takes only its
    # default (OpenAI's reasoning models) has a range of that one value.
    default_temperature: float = Field(1.0, ge=0, le=2)
    temperature_range: tuple[float, float] = (0.0, 2.0)
    default_top_p: float = Field(1.0, ge=0, le=1)
    top_p_range: tuple[float, float] = (0.0, 1.0)
    supports_seed: bool = Field(True, description="Whether the server takes a seed for repeatable answers")

    @model_validator(mode="after")
    def _defaults_within_ranges(self) -> "ModelSpec":
        for name, (low, high), default, most in (
            ("temperature", self.temperature_range, self.default_temperature, 2.0),
            ("top_p", self.top_p_range, self.default_top_p, 1.0),
        ):
            if not 0 <= low <= default <= high <= most:
                raise ValueError(f"{self.id}: {name} needs 0 <= low <= default <= high <= {most}")
        return self

    def supports(self, capability: Capability) -> bool:
        return self.capabilities is None or capability in self.capabilities

    def capability_flags(self) -> dict[str, bool]:
        """Each capability, present or not (an undeclared one is present)."""
        return {name: self.supports(name) for name in CAPABILITIES}

    def api_key(self) -> str | None:
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """US dollars for one answer at this model's prices (0 for a local model, which has none)."""
        if self.local:
            return 0.0
        return (prompt_tokens * self.input_price + completion_tokens * self.output_price) / 1_000_000


class ModelsFile(BaseModel):
    default: str | None = None
    models: list[ModelSpec]


class UnknownModel(LookupError):
    """A model name that is not in the catalog."""


class Catalog:
    """Built once per process from the settings; the API and the workers build the same one."""

    def __init__(self, models: list[ModelSpec], default: str) -> None:
        self.models = models
        self.default = default
        self._by_id = {spec.id: spec for spec in models}

    def get(self, model_id: str | None) -> ModelSpec:
        """The spec of `model_id`, or of the default model for None."""
        spec = self._by_id.get(model_id or self.default)
        if spec is None:
            choices = ", ".join(self._by_id)
            raise UnknownModel(f"Unknown model {model_id!r}; choose one of: {choices}")
        return spec


def _load(path: Path) -> ModelsFile:
    return ModelsFile.model_validate(tomllib.loads(path.read_text()))


def load_catalog(settings: Settings) -> Catalog:
    """The models file when one is set; otherwise what the environment makes available:
    the local model when `relaychat up` runs it, `RELAYCHAT_MODEL` on `OPENAI_BASE_URL`,
    and OpenAI's chat models when only `OPENAI_API_KEY` is set."""
    if settings.models_file:
        loaded = _load(settings.models_file)
        return Catalog(loaded.models, loaded.default or settings.model or loaded.models[0].id)

    models: list[ModelSpec] = []
    if settings.local_model_url:
        label = "SmolLM2 135M Instruct (local)"
        spec = ModelSpec(
            id=LOCAL_MODEL_ID,
            label=label,
            base_url=settings.local_model_url,
            api_key_env=None,
            context_window=LOCAL_CONTEXT_WINDOW,
            local=True,
            # llama-cpp-python's server's own defaults when a request sends none.
            default_temperature=0.8,
            default_top_p=0.95,
            # Tools through llama-cpp-python's `chatml-function-calling` format, which constrains
            # the model to a call of the given tools. Its server takes JSON only as `json_object`
            # (a schema is refused), so structured outputs are not declared.
            capabilities=frozenset({"tools"}),
        )
        models.append(spec)
    if settings.openai_base_url:
        name = settings.model or "default"
        spec = ModelSpec(
            id=name, label=name, base_url=settings.openai_base_url, context_window=settings.context_window
        )
        models.append(spec)
    elif settings.openai_api_key or not models:
        models += _load(OPENAI_MODELS).models
    ids = [spec.id for spec in models]
    default = settings.model if settings.model in ids else ids[0]
    return Catalog(models, default)


MIN_ANSWER_TOKENS = 16
"""The smallest max-tokens setting a conversation may choose: less could not hold a sentence."""


def answer_token_limit(spec: ModelSpec) -> int:
    """The largest max-tokens setting for `spec`: half its window, so the prompt keeps the other half."""
    return spec.context_window // 2


def budgets(spec: ModelSpec, max_answer_tokens: int, chosen: int | None = None) -> tuple[int, int]:
    """(tokens for the prompt, tokens for the answer) in the model's context window.

    A conversation's own max-tokens setting (`chosen`) wins, up to `answer_token_limit` (a model
    changed since it was set). Without one the answer gets `max_answer_tokens`, but never more than a
    quarter of a small window.
    """
    if chosen is not None:
        answer = max(MIN_ANSWER_TOKENS, min(chosen, answer_token_limit(spec)))
    else:
        answer = min(max_answer_tokens, spec.context_window // 4)
    return spec.context_window - answer, answer
