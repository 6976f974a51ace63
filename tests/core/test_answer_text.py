"""TextReader: a reader that cannot take text back, through restarts and repairs of a log."""

from core.answer_text import REASONING, TextReader


def test_deltas_are_given_as_they_come() -> None:
    reader = TextReader()
    assert [reader.delta("one "), reader.delta(""), reader.delta("two")] == ["one ", "", "two"]
    assert reader.held == len("one two")


def test_a_restart_interrupts_a_reader_that_holds_text() -> None:
    reader = TextReader()
    reader.delta("old text")
    assert reader.reset({"attempt": 2})


def test_a_restart_before_any_text_is_invisible() -> None:
    reader = TextReader()
    assert not reader.reset({"attempt": 2})
    assert reader.delta("new") == "new"


def test_a_repair_gives_only_what_the_reader_lacks() -> None:
    reader = TextReader()
    reader.delta("hello ")
    assert not reader.reset({"attempt": 1, "repair": True})
    assert reader.delta("hello world") == "world"  # the attempt's whole text, after the repair
    assert reader.delta("!") == "!"


def test_a_reader_that_came_after_a_restart_skips_the_dead_attempts_text() -> None:
    reader = TextReader(since_attempt=2)  # the answer was on its second attempt when it came
    assert reader.delta("dead") == ""
    assert not reader.reset({"attempt": 2})
    assert reader.delta("alive") == "alive"


def test_text_the_reader_had_before_resuming_counts_as_held() -> None:
    reader = TextReader(since_attempt=2)
    assert reader.delta("seen", replayed=True) == "seen"  # replayed: it had it before resuming
    assert not reader.reset({"attempt": 2}, replayed=True)  # it had passed this reset too
    assert reader.delta("new") == "new"
    assert reader.reset({"attempt": 3})  # a live restart after new text interrupts it


def test_reasoning_and_each_tool_call_are_channels_of_their_own() -> None:
    reader = TextReader()
    assert reader.delta("Hmm", channel=REASONING) == "Hmm"
    assert reader.delta("Sure") == "Sure"
    first = {"index": 0, "id": "c1", "name": "f", "arguments": '{"a"'}
    assert reader.tool_call(first) == first
    assert reader.tool_call({"index": 0, "arguments": ":1}"}) == {"index": 0, "arguments": ":1}"}
    assert reader.tool_call({"index": 1, "id": "c2", "name": "g", "arguments": ""}) == {
        "index": 1,
        "id": "c2",
        "name": "g",
        "arguments": "",
    }
    assert reader.reset({"attempt": 2})  # it holds something of the old attempt


def test_a_tool_calls_start_alone_interrupts_a_reader_at_a_restart() -> None:
    reader = TextReader()
    reader.tool_call({"index": 0, "id": "c1", "name": "f", "arguments": ""})
    assert reader.reset({"attempt": 2})


def test_a_repair_gives_each_channel_only_what_the_reader_lacks() -> None:
    reader = TextReader()
    reader.delta("Let", channel=REASONING)
    reader.delta("An")
    reader.tool_call({"index": 0, "id": "c1", "name": "f", "arguments": '{"a'})
    assert not reader.reset({"attempt": 1, "repair": True})
    # The attempt's whole content after the repair, each kind once, the call with its id and name.
    assert reader.delta("Let me see", channel=REASONING) == " me see"
    assert reader.delta("Answer") == "swer"
    assert reader.tool_call({"index": 0, "id": "c1", "name": "f", "arguments": '{"a":1}'}) == {
        "index": 0,
        "arguments": '":1}',
    }
    # A call the reader never had comes whole, with its id and name.
    assert reader.tool_call({"index": 1, "id": "c2", "name": "g", "arguments": "{}"}) == {
        "index": 1,
        "arguments": "{}",
        "id": "c2",
        "name": "g",
    }


def test_a_dead_attempts_tool_call_is_skipped_by_a_reader_that_came_after_it() -> None:
    reader = TextReader(since_attempt=2)
    assert reader.tool_call({"index": 0, "id": "old", "name": "f", "arguments": "{}"}) is None
    assert not reader.reset({"attempt": 2})
    assert reader.tool_call({"index": 0, "id": "new", "name": "f", "arguments": "{}"}) == {
        "index": 0,
        "arguments": "{}",
        "id": "new",
        "name": "f",
    }
