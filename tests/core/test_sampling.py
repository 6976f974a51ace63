"""The catalog's sampling limits per model, a conversation's settings checked against them, and
what an answer's params take from its conversation."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from core.catalog import LOCAL_MODEL_ID, ModelSpec, load_catalog
from core.models import Conversation
from core.sampling import answer_params, sampling_problem
from core.settings import Settings
from tests.core.test_catalog import VARIABLES, settings


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_a_model_declares_nothing_and_gets_openais_defaults_and_ranges() -> None:
    spec = ModelSpec(id="plain")
    assert (spec.default_temperature, spec.temperature_range) == (1.0, (0.0, 2.0))
    assert (spec.default_top_p, spec.top_p_range) == (1.0, (0.0, 1.0))
    assert spec.supports_seed


@pytest.mark.parametrize(
    "fields",
    [
        {"temperature_range": (0.0, 2.5)},  # past what any server takes
        {"temperature_range": (1.5, 0.5)},  # upside down
        {"default_temperature": 1.5, "temperature_range": (0.0, 1.0)},  # default outside its range
        {"top_p_range": (0.0, 1.2)},
        {"default_top_p": 0.1, "top_p_range": (0.5, 1.0)},
    ],
)
def test_a_models_file_with_impossible_limits_is_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ModelSpec.model_validate({"id": "odd", **fields})


def test_openais_reasoning_models_take_only_their_default_and_the_local_models_defaults_are_its_servers(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("OPENAI_API_KEY", "sk-test")
    env.setenv("RELAYCHAT_LOCAL_MODEL_URL", "http://127.0.0.1:9999/v1")
    catalog = load_catalog(settings())
    assert catalog.get("gpt-4o").temperature_range == (0.0, 2.0)
    for reasoning in ("o3", "gpt-5"):
        spec = catalog.get(reasoning)
        assert "reasoning" in (spec.capabilities or ())
        assert (spec.temperature_range, spec.top_p_range) == ((1.0, 1.0), (1.0, 1.0))
    local = catalog.get(LOCAL_MODEL_ID)
    assert (local.default_temperature, local.default_top_p) == (0.8, 0.95)


def test_a_models_file_sets_a_models_limits(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    models = tmp_path / "models.toml"
    limits = "temperature_range = [0.0, 1.0]\ndefault_temperature = 0.7\nsupports_seed = false\n"
    models.write_text('[[models]]\nid = "strict"\n' + limits)
    spec = load_catalog(Settings(_env_file=None, models_file=models)).get("strict")
    assert (spec.temperature_range, spec.default_temperature, spec.supports_seed) == ((0.0, 1.0), 0.7, False)


def test_settings_outside_a_models_limits_are_refused_with_a_sentence() -> None:
    spec = ModelSpec(id="strict", label="Strict", temperature_range=(0.0, 1.0), supports_seed=False)
    assert sampling_problem(spec, None, None, None) is None
    assert sampling_problem(spec, 0.0, 1.0, None) is None  # the ends are inside
    assert sampling_problem(spec, 1.0, 0.0, None) is None
    assert sampling_problem(spec, 1.01, None, None) == "Temperature must be between 0 and 1 for Strict"
    assert sampling_problem(spec, None, 1.5, None) == "Top p must be between 0 and 1 for Strict"
    assert sampling_problem(spec, None, None, 7) == "Strict does not take a seed: leave it empty"
    assert sampling_problem(ModelSpec(id="open"), 2.0, 0.5, 7) is None
    fixed = ModelSpec(id="o3", temperature_range=(1.0, 1.0), top_p_range=(1.0, 1.0))
    assert sampling_problem(fixed, 1.0, 1.0, None) is None
    assert sampling_problem(fixed, 0.2, None, None) == (
        "Temperature can only be 1 for o3: leave it at the model's default"
    )


def test_an_answers_params_hold_only_what_its_conversation_sets() -> None:
    assert answer_params(Conversation(owner_id="u")) == {}
    conversation = Conversation(owner_id="u", temperature=0.0, seed=0)
    assert answer_params(conversation) == {"temperature": 0.0, "seed": 0}  # zero is a setting
    conversation.top_p = 0.9
    assert answer_params(conversation) == {"temperature": 0.0, "top_p": 0.9, "seed": 0}
