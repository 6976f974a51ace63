from pathlib import Path

import pytest

from core.catalog import LOCAL_MODEL_ID, ModelSpec, UnknownModel, answer_token_limit, budgets, load_catalog
from core.settings import Settings

VARIABLES = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "RELAYCHAT_MODEL",
    "RELAYCHAT_MODELS_FILE",
    "RELAYCHAT_LOCAL_MODEL_URL",
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def settings() -> Settings:
    return Settings(_env_file=None)


def test_base_url_and_model_alone_define_the_default_model(env: pytest.MonkeyPatch) -> None:
    env.setenv("OPENAI_BASE_URL", "http://10.0.0.5:8080/v1")
    env.setenv("RELAYCHAT_MODEL", "llama-3.1-8b")
    env.setenv("RELAYCHAT_CONTEXT_WINDOW", "16384")
    catalog = load_catalog(settings())
    assert [m.id for m in catalog.models] == ["llama-3.1-8b"]
    spec = catalog.get(None)
    assert spec.base_url == "http://10.0.0.5:8080/v1"
    assert spec.context_window == 16384


def test_an_openai_key_lists_openai_chat_models(env: pytest.MonkeyPatch) -> None:
    env.setenv("OPENAI_API_KEY", "sk-test")
    catalog = load_catalog(settings())
    ids = [m.id for m in catalog.models]
    assert "gpt-4o-mini" in ids
    assert catalog.get("gpt-4o").api_key() == "sk-test"
    assert catalog.get("gpt-4o").input_price > 0


def test_the_local_model_is_listed_first_when_it_runs(env: pytest.MonkeyPatch) -> None:
    env.setenv("RELAYCHAT_LOCAL_MODEL_URL", "http://127.0.0.1:9999/v1")
    env.setenv("OPENAI_API_KEY", "sk-test")
    catalog = load_catalog(settings())
    assert catalog.default == LOCAL_MODEL_ID
    assert catalog.get(LOCAL_MODEL_ID).local
    assert catalog.get(LOCAL_MODEL_ID).api_key() is None
    assert "gpt-4o-mini" in [m.id for m in catalog.models]
    env.setenv("RELAYCHAT_MODEL", "gpt-4o")
    assert load_catalog(settings()).default == "gpt-4o"


def test_a_models_file_replaces_the_built_in_list(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "models.toml"
    path.write_text(
        'default = "b"\n[[models]]\nid = "a"\nbase_url = "http://x/v1"\ncontext_window = 1000\n'
        '[[models]]\nid = "b"\nlabel = "Bee"\nbase_url = "http://y/v1"\napi_key_env = "B_KEY"\n'
        "context_window = 2000\ninput_price = 0.5\noutput_price = 1.5\n"
    )
    env.setenv("RELAYCHAT_MODELS_FILE", str(path))
    env.setenv("B_KEY", "secret")
    catalog = load_catalog(settings())
    assert catalog.default == "b"
    assert catalog.get(None).label == "Bee"
    assert catalog.get("b").api_key() == "secret"
    assert catalog.get("a").context_window == 1000


def test_an_unknown_model_names_the_choices(env: pytest.MonkeyPatch) -> None:
    env.setenv("OPENAI_BASE_URL", "http://x/v1")
    env.setenv("RELAYCHAT_MODEL", "only")
    with pytest.raises(UnknownModel, match="choose one of: only"):
        load_catalog(settings()).get("other")


def test_budgets_leave_room_for_the_answer(env: pytest.MonkeyPatch) -> None:
    env.setenv("OPENAI_BASE_URL", "http://x/v1")
    env.setenv("RELAYCHAT_MODEL", "m")
    env.setenv("RELAYCHAT_CONTEXT_WINDOW", "2048")
    spec = load_catalog(settings()).get(None)
    assert budgets(spec, 1024) == (1536, 512)
    env.setenv("RELAYCHAT_CONTEXT_WINDOW", "100000")
    spec = load_catalog(settings()).get(None)
    assert budgets(spec, 1024) == (98976, 1024)


def test_a_conversations_max_tokens_sets_the_answer_budget_up_to_half_the_window(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("OPENAI_BASE_URL", "http://x/v1")
    env.setenv("RELAYCHAT_MODEL", "m")
    env.setenv("RELAYCHAT_CONTEXT_WINDOW", "8192")
    spec = load_catalog(settings()).get(None)
    assert answer_token_limit(spec) == 4096
    assert budgets(spec, 1024, 300) == (7892, 300)
    assert budgets(spec, 1024, 4096) == (4096, 4096)
    # Set for a bigger model and never re-checked: still at most half the window.
    assert budgets(spec, 1024, 100_000) == (4096, 4096)
    assert budgets(spec, 1024, None) == (7168, 1024)


def test_cost_follows_the_prices_and_a_local_model_is_free() -> None:
    priced = ModelSpec(id="gpt-x", input_price=2.5, output_price=10.0)
    assert priced.cost(1_000, 500) == pytest.approx(0.0025 + 0.005)
    local = ModelSpec(id="smol", local=True, base_url="http://127.0.0.1:1/v1")
    assert local.cost(1_000_000, 1_000_000) == 0


def test_capabilities_are_declared_per_model_and_an_undeclared_one_counts_as_present(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env.setenv("OPENAI_API_KEY", "sk-test")
    env.setenv("RELAYCHAT_LOCAL_MODEL_URL", "http://127.0.0.1:9999/v1")
    catalog = load_catalog(settings())
    assert catalog.get("gpt-4o").capability_flags() == {
        "tools": True,
        "structured_outputs": True,
        "vision": True,
        "reasoning": False,
    }
    assert catalog.get("o4-mini").supports("reasoning")
    assert catalog.get("o1").supports("reasoning")
    assert not catalog.get("o3-mini").supports("vision")  # as OpenAI documents it
    assert catalog.get("gpt-5").supports("reasoning")
    local = catalog.get(LOCAL_MODEL_ID).capability_flags()
    assert local == {"tools": True, "structured_outputs": False, "vision": False, "reasoning": False}
    path = tmp_path / "models.toml"
    path.write_text(
        '[[models]]\nid = "declared"\nbase_url = "http://x/v1"\ncapabilities = ["tools"]\n'
        '[[models]]\nid = "undeclared"\nbase_url = "http://y/v1"\n'
    )
    env.setenv("RELAYCHAT_MODELS_FILE", str(path))
    catalog = load_catalog(settings())
    assert catalog.get("declared").capability_flags()["tools"]
    assert not catalog.get("declared").supports("structured_outputs")
    assert all(catalog.get("undeclared").capability_flags().values())
    path.write_text('[[models]]\nid = "wrong"\ncapabilities = ["telepathy"]\n')
    with pytest.raises(ValueError, match="telepathy"):
        load_catalog(settings())
