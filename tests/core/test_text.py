"""core/text.py: one check of what counts as text, for every string a request or a file brings."""

from core.text import LONE_SURROGATE, NUL, BadText, first_bad_text, problem_of


def test_text_has_no_nul_and_no_lone_surrogate() -> None:
    assert problem_of("plain, 😀 and ünïcode") is None
    assert problem_of("a\x00b") == NUL
    assert problem_of("a\ud800b") == LONE_SURROGATE
    assert problem_of("\udfff") == LONE_SURROGATE


def test_the_first_bad_string_is_found_with_where_it_is_keys_included() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "ok"}, {"content": [{"text": "a\x00"}]}]}
    assert first_bad_text(body) == BadText("messages[1].content[0].text", NUL)
    assert first_bad_text({"metadata": {"\ud800": "value"}}) == BadText("metadata", LONE_SURROGATE)
    assert first_bad_text({"a": 1, "b": [True, None, 2.5]}) is None
    assert first_bad_text("\x00", "q") == BadText("q", NUL)


def test_a_value_nested_far_deeper_than_the_stack_is_walked() -> None:
    deep: object = "bottom\x00"
    for _ in range(100_000):
        deep = [deep]
    found = first_bad_text(deep)
    assert found is not None
    assert found.problem == NUL
