from core.catalog import LOCAL_MODEL_ID, ModelSpec
from core.models import Message, Role
from core.tokens import LlamaCounter, counter_for, required_tokens, stored_message_tokens

FRENCH = "Les sanglots longs des violons de l'automne blessent mon cœur d'une langueur monotone."


def test_the_local_model_is_counted_in_its_own_vocabulary() -> None:
    local = counter_for(ModelSpec(id=LOCAL_MODEL_ID, local=True))
    openai = counter_for(ModelSpec(id="gpt-4o-mini"))
    assert isinstance(local, LlamaCounter)
    # SmolLM2's English-centred vocabulary needs far more tokens for French than o200k does.
    assert local.count(FRENCH) > openai.count(FRENCH) * 1.3


def test_counters_are_made_once_per_model() -> None:
    spec = ModelSpec(id="gpt-4o")
    assert counter_for(spec) is counter_for(ModelSpec(id="gpt-4o"))


def test_required_tokens_count_a_system_prompt_only_when_there_is_one() -> None:
    counter = counter_for(ModelSpec(id="gpt-4o-mini"))
    hello = Message(conversation_id="c", role=Role.user, content="Hello")
    bare = required_tokens(counter, "", hello)
    assert required_tokens(counter, "Be brief.", hello) > bare
    assert bare == counter.count("Hello") + 4 + 3


def test_a_stored_count_is_used_only_by_the_tokenizer_that_made_it() -> None:
    gpt4o, gpt35 = counter_for(ModelSpec(id="gpt-4o")), counter_for(ModelSpec(id="gpt-3.5-turbo"))
    assert gpt4o.name != gpt35.name
    message = Message(conversation_id="c", role=Role.user, content=FRENCH, tokens=1000, tokenizer=gpt4o.name)
    assert stored_message_tokens(gpt4o, message) == 1000 + 4
    assert stored_message_tokens(gpt35, message) == gpt35.count(FRENCH) + 4
