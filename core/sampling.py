"""A conversation's sampling (temperature, top_p, seed): checked against its model's limits, and
copied into each of its answers' params, which the worker passes to the model as a /v1 request's."""

from typing import Annotated, Any

from pydantic import Field

from core.catalog import ModelSpec
from core.models import Conversation

SAMPLING = ("temperature", "top_p", "seed")
Sampling = tuple[float | None, float | None, int | None]
"""(temperature, top_p, seed), each None for the model's default."""
SEED_MAX = 2**31 - 1  # every server takes a 32-bit seed (llama.cpp's is unsigned: -1 means random)

# A request's or an import's bounds: a model's own limits are narrower (GET /api/models), and
# `sampling_problem` checks them with a sentence.
Temperature = Annotated[float | None, Field(ge=0, le=2, description="Null: the model's default")]
TopP = Annotated[float | None, Field(ge=0, le=1, description="Null: the model's default")]
Seed = Annotated[
    int | None, Field(ge=0, le=SEED_MAX, description="For repeatable answers, if the model takes one")
]


def _number(value: float) -> str:
    return f"{value:g}"


def sampling_problem(
    spec: ModelSpec, temperature: float | None, top_p: float | None, seed: int | None
) -> str | None:
    """Why these settings do not suit `spec`, in a sentence; None when they do (None: its default)."""
    name = spec.label or spec.id
    for setting, value, (low, high) in (
        ("Temperature", temperature, spec.temperature_range),
        ("Top p", top_p, spec.top_p_range),
    ):
        if value is None or low <= value <= high:
            continue
        if low == high:
            return f"{setting} can only be {_number(low)} for {name}: leave it at the model's default"
        return f"{setting} must be between {_number(low)} and {_number(high)} for {name}"
    if seed is not None and not spec.supports_seed:
        return f"{name} does not take a seed: leave it empty"
    return None


def conversation_sampling(conversation: Conversation) -> Sampling:
    """The conversation's (temperature, top_p, seed)."""
    return conversation.temperature, conversation.top_p, conversation.seed


def answer_params(conversation: Conversation) -> dict[str, Any]:
    """The conversation's sampling as an answer's params: only what it sets (the rest is the
    model's default). Copied at submit, so every attempt of the answer samples alike."""
    values = dict(zip(SAMPLING, conversation_sampling(conversation), strict=True))
    return {name: value for name, value in values.items() if value is not None}
