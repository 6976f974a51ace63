"""TextReader: a reader that cannot take text back, through restarts and repairs of a log."""

from core.answer_text import TextReader


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
